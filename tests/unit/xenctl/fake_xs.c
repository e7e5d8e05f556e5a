// SPDX-License-Identifier: MIT
/* In-memory xenstore for unit tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "fake_xs.h"

static struct fake_xs *F(struct xsi *x)
{
	return (struct fake_xs *)x;
}

static struct fake_tree *tree(struct fake_xs *f, xsi_tx tx)
{
	return tx ? &f->tx_tree : &f->t;
}

static struct fake_node *find(struct fake_tree *t, const char *path)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (strcmp(t->n[i].path, path) == 0)
			return &t->n[i];
	return NULL;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static struct fake_node *add(struct fake_tree *t, const char *path)
{
	struct fake_node *n;

	if (t->nr == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->n = realloc(t->n, t->cap * sizeof(*t->n));
		if (!t->n)
			abort();
	}
	n = &t->n[t->nr++];
	memset(n, 0, sizeof(*n));
	n->path = xstrdup(path);
	n->val = xstrdup("");
	return n;
}

static void tree_free(struct fake_tree *t)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		free(t->n[i].path);
		free(t->n[i].val);
	}
	free(t->n);
	memset(t, 0, sizeof(*t));
}

static void tree_copy(struct fake_tree *dst, const struct fake_tree *src)
{
	unsigned int i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->nr; i++) {
		struct fake_node *n = add(dst, src->n[i].path);

		free(n->val);
		n->val = xstrdup(src->n[i].val);
		memcpy(n->perm, src->n[i].perm, sizeof(n->perm));
		n->nperm = src->n[i].nperm;
	}
}

static bool valid_path(const char *p)
{
	size_t l = strlen(p);

	return p[0] == '/' && (l == 1 || p[l - 1] != '/') && !strstr(p, "//");
}

/* Like xenstored's construct_node: missing parents are created, each
 * inheriting its parent's perms (dom0 keeps the parent's owner). */
static struct fake_node *ensure(struct fake_tree *t, const char *path)
{
	struct fake_node *n = find(t, path), *parent;
	char pp[512];
	char *slash;

	if (n)
		return n;
	snprintf(pp, sizeof(pp), "%s", path);
	slash = strrchr(pp, '/');
	if (slash == pp)
		pp[1] = '\0';
	else
		*slash = '\0';
	parent = ensure(t, pp);
	{
		struct xsi_perm perm[XSI_MAX_PERMS];
		unsigned int np = parent->nperm;

		memcpy(perm, parent->perm, sizeof(perm));
		n = add(t, path);	/* may move parent: copied perms first */
		memcpy(n->perm, perm, sizeof(perm));
		n->nperm = np;
	}
	return n;
}

static int mutate_check(struct fake_xs *f)
{
	f->ops++;
	if (f->fail_ops_after >= 0) {
		if (f->fail_ops_after == 0)
			return -EIO;
		f->fail_ops_after--;
	}
	return 0;
}

static int fx_tx_start(struct xsi *x, xsi_tx *tx)
{
	struct fake_xs *f = F(x);

	if (f->tx_open)
		return -EBUSY;
	tree_copy(&f->tx_tree, &f->t);
	f->tx_open = true;
	f->tx_gen = f->gen;
	*tx = 1;
	return 0;
}

static int fx_tx_end(struct xsi *x, xsi_tx tx, bool abort_)
{
	struct fake_xs *f = F(x);

	if (!f->tx_open || tx != 1)
		return -EINVAL;
	f->tx_open = false;
	if (abort_) {
		f->aborts++;
		tree_free(&f->tx_tree);
		return 0;
	}
	if (f->eagain_commits > 0 || f->gen != f->tx_gen) {
		if (f->eagain_commits > 0)
			f->eagain_commits--;
		tree_free(&f->tx_tree);
		return -EAGAIN;
	}
	tree_free(&f->t);
	f->t = f->tx_tree;
	memset(&f->tx_tree, 0, sizeof(f->tx_tree));
	f->gen++;
	f->commits++;
	if (f->destroy_after_commits > 0 && --f->destroy_after_commits == 0)
		fake_xs_destroy_domain(f, f->destroy_domid);
	return 0;
}

static int fx_read(struct xsi *x, xsi_tx tx, const char *path, char **val, size_t *len)
{
	struct fake_node *n = find(tree(F(x), tx), path);

	if (!n)
		return -ENOENT;
	*val = xstrdup(n->val);
	if (len)
		*len = strlen(n->val);
	return 0;
}

static int fx_write(struct xsi *x, xsi_tx tx, const char *path, const char *val,
		    size_t len)
{
	struct fake_xs *f = F(x);
	struct fake_node *n;
	int rc = mutate_check(f);

	if (rc)
		return rc;
	if (!valid_path(path))
		return -EINVAL;
	n = ensure(tree(f, tx), path);
	free(n->val);
	n->val = strndup(val, len);
	if (!tx)
		f->gen++;
	return 0;
}

static int fx_mkdir(struct xsi *x, xsi_tx tx, const char *path)
{
	struct fake_xs *f = F(x);
	int rc = mutate_check(f);

	if (rc)
		return rc;
	if (!valid_path(path))
		return -EINVAL;
	ensure(tree(f, tx), path);
	if (!tx)
		f->gen++;
	return 0;
}

static bool below(const char *p, const char *dir)
{
	size_t l = strlen(dir);

	return strcmp(p, dir) == 0 || (strncmp(p, dir, l) == 0 && p[l] == '/');
}

static int fx_rm(struct xsi *x, xsi_tx tx, const char *path)
{
	struct fake_xs *f = F(x);
	struct fake_tree *t = tree(f, tx);
	unsigned int i = 0;
	int rc = mutate_check(f);

	if (rc)
		return rc;
	if (!find(t, path))
		return -ENOENT;
	while (i < t->nr) {
		if (below(t->n[i].path, path)) {
			free(t->n[i].path);
			free(t->n[i].val);
			t->n[i] = t->n[--t->nr];
		} else {
			i++;
		}
	}
	if (!tx)
		f->gen++;
	return 0;
}

static int fx_list(struct xsi *x, xsi_tx tx, const char *path, char ***names,
		   unsigned int *num)
{
	struct fake_tree *t = tree(F(x), tx);
	size_t l = strlen(path);
	unsigned int i, k = 0;
	char **v;

	if (!find(t, path))
		return -ENOENT;
	v = calloc(t->nr + 1, sizeof(*v));
	if (!v)
		abort();
	for (i = 0; i < t->nr; i++) {
		const char *p = t->n[i].path;
		const char *rest;

		if (strcmp(path, "/") == 0)
			rest = p[0] == '/' && p[1] ? p + 1 : NULL;
		else
			rest = strncmp(p, path, l) == 0 && p[l] == '/' ? p + l + 1 : NULL;
		if (rest && !strchr(rest, '/'))
			v[k++] = xstrdup(rest);
	}
	*names = v;
	*num = k;
	return 0;
}

static int fx_set_perms(struct xsi *x, xsi_tx tx, const char *path,
			const struct xsi_perm *p, unsigned int n)
{
	struct fake_xs *f = F(x);
	struct fake_node *node;
	int rc = mutate_check(f);

	if (rc)
		return rc;
	node = find(tree(f, tx), path);
	if (!node)
		return -ENOENT;
	if (n == 0 || n > XSI_MAX_PERMS)
		return -EINVAL;
	memcpy(node->perm, p, n * sizeof(*p));
	node->nperm = n;
	if (!tx)
		f->gen++;
	return 0;
}

static int fx_get_perms(struct xsi *x, xsi_tx tx, const char *path,
			struct xsi_perm *p, unsigned int *n)
{
	struct fake_node *node = find(tree(F(x), tx), path);

	if (!node)
		return -ENOENT;
	if (node->nperm > *n)
		return -E2BIG;
	memcpy(p, node->perm, node->nperm * sizeof(*p));
	*n = node->nperm;
	return 0;
}

static int fx_watch(struct xsi *x, const char *path, const char *token)
{
	struct fake_xs *f = F(x);

	if (f->nwatches == 8)
		return -ENOSPC;
	f->wtokens[f->nwatches] = xstrdup(token);
	f->watches[f->nwatches++] = xstrdup(path);
	fake_xs_fire(f, path);	/* xenstored fires every new watch once */
	return 0;
}

static int fx_watch_fd(struct xsi *x)
{
	struct fake_xs *f = F(x);
	unsigned int i;

	if (f->pipefd[0] < 0) {
		if (pipe2(f->pipefd, O_NONBLOCK | O_CLOEXEC))
			return -1;
		for (i = 0; i < f->nevents; i++)
			if (write(f->pipefd[1], "e", 1) != 1)
				abort();
	}
	return f->pipefd[0];
}

static int fx_watch_read(struct xsi *x, char **path, char **token)
{
	struct fake_xs *f = F(x);

	if (!f->nevents)
		return 0;
	unsigned int i;

	*path = f->events[0];
	*token = NULL;
	/* Deliver the token of the watch that covers the path, as xenstored. */
	for (i = 0; i < f->nwatches && !*token; i++)
		if (below(*path, f->watches[i]))
			*token = xstrdup(f->wtokens[i]);
	if (!*token)
		*token = xstrdup("?");
	if (f->pipefd[0] >= 0) {
		char c;

		if (read(f->pipefd[0], &c, 1) != 1)
			abort();
	}
	memmove(f->events, f->events + 1, --f->nevents * sizeof(f->events[0]));
	return 1;
}

static bool fx_domain_alive(struct xsi *x, unsigned int domid)
{
	struct fake_xs *f = F(x);
	unsigned int i;

	for (i = 0; i < f->ndead; i++)
		if (f->dead[i] == domid)
			return false;
	return true;
}

/* The command layer closes its connection; tests own the fake. */
static void fx_close(struct xsi *x)
{
	(void)x;
}

static const struct xsi_ops fake_ops = {
	.tx_start = fx_tx_start,
	.tx_end = fx_tx_end,
	.read = fx_read,
	.write = fx_write,
	.mkdir = fx_mkdir,
	.rm = fx_rm,
	.list = fx_list,
	.set_perms = fx_set_perms,
	.get_perms = fx_get_perms,
	.watch = fx_watch,
	.watch_fd = fx_watch_fd,
	.watch_read = fx_watch_read,
	.domain_alive = fx_domain_alive,
	.close = fx_close,
};

struct fake_xs *fake_xs_new(void)
{
	struct fake_xs *f = calloc(1, sizeof(*f));
	struct fake_node *root;

	if (!f)
		abort();
	f->base.ops = &fake_ops;
	f->fail_ops_after = -1;
	f->pipefd[0] = f->pipefd[1] = -1;
	root = add(&f->t, "/");
	root->nperm = 1;	/* n0 */
	fake_xs_set(f, "/local/domain/0/name", "Domain-0", "n0");
	return f;
}

void fake_xs_free(struct fake_xs *f)
{
	unsigned int i;

	tree_free(&f->t);
	tree_free(&f->tx_tree);
	for (i = 0; i < f->nwatches; i++) {
		free(f->watches[i]);
		free(f->wtokens[i]);
	}
	for (i = 0; i < f->nevents; i++)
		free(f->events[i]);
	if (f->pipefd[0] >= 0) {
		close(f->pipefd[0]);
		close(f->pipefd[1]);
	}
	free(f);
}

static unsigned int parse_perms(const char *s, struct xsi_perm *p)
{
	unsigned int n = 0;

	while (*s && n < XSI_MAX_PERMS) {
		char c = *s++;

		p[n].bits = c == 'r' ? XSI_READ : c == 'w' ? XSI_WRITE :
			    c == 'b' ? XSI_BOTH : XSI_NONE;
		p[n].domid = (unsigned int)strtoul(s, (char **)&s, 10);
		n++;
		if (*s == ',')
			s++;
	}
	return n;
}

void fake_xs_set(struct fake_xs *f, const char *path, const char *val, const char *perms)
{
	struct fake_node *n = ensure(&f->t, path);

	free(n->val);
	n->val = xstrdup(val);
	if (perms)
		n->nperm = parse_perms(perms, n->perm);
	f->gen++;
}

void fake_xs_add_domain(struct fake_xs *f, unsigned int domid, const char *name,
			const char *uuid)
{
	char path[128], perms[32], vm[64];
	unsigned int i;

	snprintf(perms, sizeof(perms), "n0,r%u", domid);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	fake_xs_set(f, path, "", perms);
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	fake_xs_set(f, path, name, perms);
	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	snprintf(vm, sizeof(vm), "/vm/%s", uuid);
	fake_xs_set(f, path, vm, perms);
	snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
	snprintf(perms, sizeof(perms), "n%u", domid);
	fake_xs_set(f, path, "", perms);
	for (i = 0; i < f->ndead; i++)
		if (f->dead[i] == domid)
			f->dead[i] = f->dead[--f->ndead];
}

void fake_xs_destroy_domain(struct fake_xs *f, unsigned int domid)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	fx_rm(&f->base, 0, path);
	f->ops--;	/* not a command-side op */
	if (f->ndead < 16)
		f->dead[f->ndead++] = domid;
	fake_xs_fire(f, "@releaseDomain");
}

const char *fake_xs_get(struct fake_xs *f, const char *path)
{
	struct fake_node *n = find(&f->t, path);

	return n ? n->val : NULL;
}

const char *fake_xs_perms(struct fake_xs *f, const char *path, char *buf, unsigned int size)
{
	struct fake_node *n = find(&f->t, path);
	unsigned int i, off = 0;

	if (!n)
		return NULL;
	buf[0] = '\0';
	for (i = 0; i < n->nperm && off < size; i++)
		off += (unsigned int)snprintf(buf + off, size - off, "%s%c%u", i ? "," : "",
					      "nrwb"[n->perm[i].bits & 3], n->perm[i].domid);
	return buf;
}

bool fake_xs_can(struct fake_xs *f, unsigned int domid, const char *path, unsigned int bits)
{
	struct fake_node *n = find(&f->t, path);
	unsigned int i;

	if (!n || n->nperm == 0)
		return false;
	if (domid == 0 || n->perm[0].domid == domid)
		return true;	/* dom0 and the owner may do anything */
	for (i = 1; i < n->nperm; i++)
		if (n->perm[i].domid == domid)
			return (n->perm[i].bits & bits) == bits;
	return (n->perm[0].bits & bits) == bits;
}

unsigned int fake_xs_count(struct fake_xs *f, const char *path)
{
	unsigned int i, k = 0;

	for (i = 0; i < f->t.nr; i++)
		if (below(f->t.n[i].path, path))
			k++;
	return k;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct fake_node *)a)->path, ((const struct fake_node *)b)->path);
}

char *fake_xs_dump(struct fake_xs *f)
{
	size_t cap = 256, off = 0;
	char *out = malloc(cap), perms[128];
	unsigned int i;

	if (!out)
		abort();
	out[0] = '\0';
	qsort(f->t.n, f->t.nr, sizeof(f->t.n[0]), cmp_node);
	for (i = 0; i < f->t.nr; i++) {
		const struct fake_node *n = &f->t.n[i];
		size_t need;

		if (strcmp(n->path, "/") == 0)
			continue;
		fake_xs_perms(f, n->path, perms, sizeof(perms));
		need = strlen(n->path) + strlen(n->val) + strlen(perms) + 16;
		while (off + need >= cap) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		off += (size_t)sprintf(out + off, "%s = \"%s\"   (%s)\n", n->path, n->val, perms);
	}
	return out;
}

void fake_xs_fire(struct fake_xs *f, const char *path)
{
	if (f->nevents < 32) {
		f->events[f->nevents++] = xstrdup(path);
		if (f->pipefd[1] >= 0 && write(f->pipefd[1], "e", 1) != 1)
			abort();
	}
}
