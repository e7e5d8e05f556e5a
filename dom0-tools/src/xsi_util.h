/* SPDX-License-Identifier: MIT */
#ifndef TSMC_XSI_UTIL_H
#define TSMC_XSI_UTIL_H

#include "xsi.h"

/* How often a transaction is retried after losing a race (EAGAIN). */
#define XSI_TX_RETRIES 16

typedef int (*xsi_fn)(struct xsi *x, xsi_tx tx, void *arg);

/* Run fn inside one transaction; retry the whole fn on EAGAIN. On any
 * error from fn the transaction is aborted, so xenstore is unchanged. */
int xsi_transact(struct xsi *x, xsi_fn fn, void *arg);

/* Read into buf; -EOVERFLOW if the value (or an embedded NUL) does not fit. */
int xsi_read_bounded(struct xsi *x, xsi_tx tx, const char *path,
		     char *buf, size_t size);
int xsi_put(struct xsi *x, xsi_tx tx, const char *path, const char *val,
	    const struct xsi_perm *p, unsigned int n);
/* Plain write: a new node inherits its parent's perms. */
int xsi_write_str(struct xsi *x, xsi_tx tx, const char *path, const char *val);
int xsi_putf(struct xsi *x, xsi_tx tx, const char *path,
	     const struct xsi_perm *p, unsigned int n, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int xsi_mkdir_perms(struct xsi *x, xsi_tx tx, const char *path,
		    const struct xsi_perm *p, unsigned int n);
int xsi_rm_if_present(struct xsi *x, xsi_tx tx, const char *path);
/* 1 present, 0 absent, <0 error. */
int xsi_exists(struct xsi *x, xsi_tx tx, const char *path);
int xsi_bump_counter(struct xsi *x, xsi_tx tx, const char *path,
		     const struct xsi_perm *p, unsigned int n);

#endif
