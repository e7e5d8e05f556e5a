// SPDX-License-Identifier: MIT
/* Helpers on top of xsi shared by every command. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsi_util.h"

void xsi_free_list(char **names, unsigned int n)
{
	unsigned int i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int xsi_read_bounded(struct xsi *x, xsi_tx tx, const char *path,
		     char *buf, size_t size)
{
	char *v;
	size_t len;
	int rc = x->ops->read(x, tx, path, &v, &len);

	if (rc)
		return rc;
	/* Values written by guests can be anything: never trust the length. */
	if (len >= size || strlen(v) != len) {
		free(v);
		return -EOVERFLOW;
	}
	memcpy(buf, v, len + 1);
	free(v);
	return 0;
}

int xsi_put(struct xsi *x, xsi_tx tx, const char *path, const char *val,
	    const struct xsi_perm *p, unsigned int n)
{
	int rc = x->ops->write(x, tx, path, val, strlen(val));

	/* Set perms every time: a node inherits its parent's, which is wrong
	 * for nodes dom0 places inside a guest's home. */
	return rc ? rc : x->ops->set_perms(x, tx, path, p, n);
}

int xsi_write_str(struct xsi *x, xsi_tx tx, const char *path, const char *val)
{
	return x->ops->write(x, tx, path, val, strlen(val));
}

int xsi_putf(struct xsi *x, xsi_tx tx, const char *path,
	     const struct xsi_perm *p, unsigned int n, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(val))
		return -ENAMETOOLONG;
	return xsi_put(x, tx, path, val, p, n);
}

int xsi_mkdir_perms(struct xsi *x, xsi_tx tx, const char *path,
		    const struct xsi_perm *p, unsigned int n)
{
	int rc = x->ops->mkdir(x, tx, path);

	return rc ? rc : x->ops->set_perms(x, tx, path, p, n);
}

int xsi_rm_if_present(struct xsi *x, xsi_tx tx, const char *path)
{
	int rc = x->ops->rm(x, tx, path);

	return rc == -ENOENT ? 0 : rc;
}

int xsi_exists(struct xsi *x, xsi_tx tx, const char *path)
{
	char *v;
	int rc = x->ops->read(x, tx, path, &v, NULL);

	if (rc == 0) {
		free(v);
		return 1;
	}
	return rc == -ENOENT ? 0 : rc;
}

int xsi_transact(struct xsi *x, xsi_fn fn, void *arg)
{
	int attempt, rc, rc2;
	xsi_tx tx;

	for (attempt = 0; attempt < XSI_TX_RETRIES; attempt++) {
		rc = x->ops->tx_start(x, &tx);
		if (rc)
			return rc;
		rc = fn(x, tx, arg);
		if (rc) {
			/* Abort: nothing written inside the transaction lands. */
			x->ops->tx_end(x, tx, true);
			return rc;
		}
		rc2 = x->ops->tx_end(x, tx, false);
		if (rc2 != -EAGAIN)
			return rc2;
	}
	return -EAGAIN;
}

int xsi_bump_counter(struct xsi *x, xsi_tx tx, const char *path,
		     const struct xsi_perm *p, unsigned int n)
{
	char buf[32];
	unsigned long v = 0;
	int rc = xsi_read_bounded(x, tx, path, buf, sizeof(buf));

	if (rc == 0)
		v = strtoul(buf, NULL, 10);
	else if (rc != -ENOENT)
		return rc;
	return xsi_putf(x, tx, path, p, n, "%lu", (v + 1) % 4000000000UL);
}
