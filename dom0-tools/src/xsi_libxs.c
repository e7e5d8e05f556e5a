// SPDX-License-Identifier: MIT
/* xsi backed by libxenstore: the connection used in dom0. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "xsi.h"

struct xsi_libxs {
	struct xsi base;
	struct xs_handle *h;
};

static struct xs_handle *H(struct xsi *x)
{
	return ((struct xsi_libxs *)x)->h;
}

/* libxenstore reports failure as false/NULL with errno set. */
static int err(void)
{
	return errno ? -errno : -EIO;
}

static int lx_tx_start(struct xsi *x, xsi_tx *tx)
{
	xs_transaction_t t = xs_transaction_start(H(x));

	if (t == XBT_NULL)
		return err();
	*tx = t;
	return 0;
}

static int lx_tx_end(struct xsi *x, xsi_tx tx, bool abort)
{
	return xs_transaction_end(H(x), tx, abort) ? 0 : err();
}

static int lx_read(struct xsi *x, xsi_tx tx, const char *path, char **val,
		   size_t *len)
{
	unsigned int l;
	char *v = xs_read(H(x), tx, path, &l);

	if (!v)
		return err();
	*val = v;
	if (len)
		*len = l;
	return 0;
}

static int lx_write(struct xsi *x, xsi_tx tx, const char *path,
		    const char *val, size_t len)
{
	return xs_write(H(x), tx, path, val, len) ? 0 : err();
}

static int lx_mkdir(struct xsi *x, xsi_tx tx, const char *path)
{
	return xs_mkdir(H(x), tx, path) ? 0 : err();
}

static int lx_rm(struct xsi *x, xsi_tx tx, const char *path)
{
	return xs_rm(H(x), tx, path) ? 0 : err();
}

static int lx_list(struct xsi *x, xsi_tx tx, const char *path, char ***names,
		   unsigned int *n)
{
	unsigned int num, i;
	char **v = xs_directory(H(x), tx, path, &num);
	char **out;

	if (!v)
		return err();
	/* libxenstore returns one block; hand out separately owned strings. */
	out = calloc(num ? num : 1, sizeof(*out));
	if (!out) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < num; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			xsi_free_list(out, i);
			free(v);
			return -ENOMEM;
		}
	}
	free(v);
	*names = out;
	*n = num;
	return 0;
}

static int lx_set_perms(struct xsi *x, xsi_tx tx, const char *path,
			const struct xsi_perm *p, unsigned int n)
{
	struct xs_permissions xp[XSI_MAX_PERMS];
	unsigned int i;

	if (n == 0 || n > XSI_MAX_PERMS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		xp[i].id = p[i].domid;
		xp[i].perms = p[i].bits & (XS_PERM_READ | XS_PERM_WRITE);
	}
	return xs_set_permissions(H(x), tx, path, xp, n) ? 0 : err();
}

static int lx_get_perms(struct xsi *x, xsi_tx tx, const char *path,
			struct xsi_perm *p, unsigned int *n)
{
	unsigned int num, i;
	struct xs_permissions *xp = xs_get_permissions(H(x), tx, path, &num);

	if (!xp)
		return err();
	if (num > *n) {
		free(xp);
		return -E2BIG;
	}
	for (i = 0; i < num; i++) {
		p[i].domid = xp[i].id;
		p[i].bits = xp[i].perms & (XS_PERM_READ | XS_PERM_WRITE);
	}
	*n = num;
	free(xp);
	return 0;
}

static int lx_watch(struct xsi *x, const char *path, const char *token)
{
	return xs_watch(H(x), path, token) ? 0 : err();
}

static int lx_watch_fd(struct xsi *x)
{
	return xs_fileno(H(x));
}

static int lx_watch_read(struct xsi *x, char **path, char **token)
{
	char **v = xs_check_watch(H(x));

	if (!v)
		return errno == EAGAIN ? 0 : err();
	*path = strdup(v[XS_WATCH_PATH]);
	*token = strdup(v[XS_WATCH_TOKEN]);
	free(v);
	if (!*path || !*token) {
		free(*path);
		free(*token);
		return -ENOMEM;
	}
	return 1;
}

static bool lx_domain_alive(struct xsi *x, unsigned int domid)
{
	return xs_is_domain_introduced(H(x), domid);
}

static void lx_close(struct xsi *x)
{
	xs_close(H(x));
	free(x);
}

static const struct xsi_ops libxs_ops = {
	.tx_start = lx_tx_start,
	.tx_end = lx_tx_end,
	.read = lx_read,
	.write = lx_write,
	.mkdir = lx_mkdir,
	.rm = lx_rm,
	.list = lx_list,
	.set_perms = lx_set_perms,
	.get_perms = lx_get_perms,
	.watch = lx_watch,
	.watch_fd = lx_watch_fd,
	.watch_read = lx_watch_read,
	.domain_alive = lx_domain_alive,
	.close = lx_close,
};

struct xsi *xsi_libxs_open(void)
{
	struct xsi_libxs *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->h = xs_open(0);
	if (!x->h) {
		int e = errno;

		free(x);
		errno = e ? e : ECONNREFUSED;
		return NULL;
	}
	x->base.ops = &libxs_ops;
	return &x->base;
}
