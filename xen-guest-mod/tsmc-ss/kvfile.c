// SPDX-License-Identifier: MIT
/* key=value line files: open, getline, split, typed lookups. */
#include "kvfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEP " \t\r\n"
/* Bad values are quoted in messages, but a line may be huge. */
#define SHOW "%.64s"

static void loc(const struct kv_line *l)
{
	fprintf(stderr, "tsmc-ss: %s:%zu: ", l->file, l->lineno);
}

int kv_bad(const struct kv_line *l, const char *key, const char *why,
	   const char *val)
{
	loc(l);
	fprintf(stderr, "field '" SHOW "': %s: '" SHOW "'\n", key, why, val);
	return TSS_BAD;
}

static const struct kv *kv_find(const struct kv_line *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->f[i].key, key))
			return &l->f[i];
	return NULL;
}

void *tss_grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t c;
	void *nv;

	if (n < *cap)
		return v;
	c = *cap ? *cap * 2 : 16;
	nv = reallocarray(v, c, size);
	if (!nv) {
		fprintf(stderr, "tsmc-ss: out of memory\n");
		return NULL;
	}
	*cap = c;
	return nv;
}

static int kv_push(struct kv_line *l, const char *key, const char *val)
{
	struct kv *f = tss_grow(l->f, l->n, &l->cap, sizeof(*f));

	if (!f)
		return TSS_FAIL;
	l->f = f;
	l->f[l->n].key = key;
	l->f[l->n].val = val;
	l->n++;
	return TSS_OK;
}

/* Split text in place into l->f; every token must be key=value. */
static int kv_split(struct kv_line *l, char *text)
{
	char *save = NULL;

	l->n = 0;
	for (char *tok = strtok_r(text, SEP, &save); tok;
	     tok = strtok_r(NULL, SEP, &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok) {
			loc(l);
			fprintf(stderr, "field '" SHOW "' is not key=value\n",
				tok);
			return TSS_BAD;
		}
		*eq = '\0';
		/* Two values for one key: which one would be right? */
		if (kv_find(l, tok)) {
			loc(l);
			fprintf(stderr, "field '" SHOW "' given twice\n", tok);
			return TSS_BAD;
		}
		int rc = kv_push(l, tok, eq + 1);

		if (rc)
			return rc;
	}
	return TSS_OK;
}

static int read_lines(FILE *f, struct kv_line *l, kv_line_fn fn, void *ctx)
{
	char *buf = NULL;
	size_t size = 0;
	ssize_t len;
	int rc = TSS_OK;

	while (rc == TSS_OK && (len = getline(&buf, &size, f)) >= 0) {
		l->lineno++;
		/* strtok would stop at a NUL and hide the rest of the line. */
		if (strlen(buf) != (size_t)len) {
			loc(l);
			fprintf(stderr, "NUL byte in line\n");
			rc = TSS_BAD;
			break;
		}
		rc = kv_split(l, buf);
		if (rc == TSS_OK && l->n)	/* blank lines carry nothing */
			rc = fn(ctx, l);
	}
	if (rc == TSS_OK && ferror(f)) {
		fprintf(stderr, "tsmc-ss: %s: read error: %s\n", l->file,
			strerror(errno));
		rc = TSS_FAIL;
	}
	free(buf);
	return rc;
}

int kv_file_read(const char *path, kv_line_fn fn, void *ctx)
{
	struct kv_line l = { .file = path };
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr,
				"tsmc-ss: tsmc_xen module not loaded (no %s)\n",
				path);
		else
			fprintf(stderr, "tsmc-ss: %s: %s\n", path,
				strerror(errno));
		return TSS_FAIL;
	}
	rc = read_lines(f, &l, fn, ctx);
	fclose(f);	/* read-only: nothing to lose on close */
	free(l.f);
	return rc;
}

int kv_str(const struct kv_line *l, const char *key, const char **out)
{
	const struct kv *f = kv_find(l, key);

	if (!f) {
		loc(l);
		fprintf(stderr, "missing field '%s'\n", key);
		return TSS_BAD;
	}
	if (!*f->val)
		return kv_bad(l, key, "empty value", f->val);
	*out = f->val;
	return TSS_OK;
}

int kv_u64(const struct kv_line *l, const char *key, uint64_t max,
	   uint64_t *out)
{
	const char *v;
	char *end;
	unsigned long long x;
	int rc = kv_str(l, key, &v);

	if (rc)
		return rc;
	/* strtoull would take "-1", " 1" and "+1": only plain digits here. */
	if (*v < '0' || *v > '9')
		return kv_bad(l, key, "not a number", v);
	errno = 0;
	x = strtoull(v, &end, 10);
	if (*end)
		return kv_bad(l, key, "not a number", v);
	if (errno == ERANGE || x > max)
		return kv_bad(l, key, "out of range", v);
	*out = x;
	return TSS_OK;
}

int kv_bool(const struct kv_line *l, const char *key, int *out)
{
	const char *v;
	int rc = kv_str(l, key, &v);

	if (rc)
		return rc;
	if (strcmp(v, "0") && strcmp(v, "1"))
		return kv_bad(l, key, "expected 0 or 1", v);
	*out = v[0] == '1';
	return TSS_OK;
}
