/* SPDX-License-Identifier: MIT */
/*
 * xsi: the small xenstore interface the command logic is written against.
 * One implementation talks to xenstored through libxenstore (xsi_libxs.c);
 * the unit tests supply an in-memory one. Errors are negative errno values;
 * strings returned are malloc'd and owned by the caller.
 */
#ifndef TSMC_XSI_H
#define TSMC_XSI_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned int xsi_tx;		/* 0 = no transaction */

enum xsi_perm_bits { XSI_NONE = 0, XSI_READ = 1, XSI_WRITE = 2, XSI_BOTH = 3 };

struct xsi_perm {
	unsigned int domid;
	unsigned int bits;		/* enum xsi_perm_bits */
};

#define XSI_MAX_PERMS 8

struct xsi;

struct xsi_ops {
	int (*tx_start)(struct xsi *x, xsi_tx *tx);
	/* abort=true discards; returns -EAGAIN when the commit lost a race. */
	int (*tx_end)(struct xsi *x, xsi_tx tx, bool abort);
	/* *val NUL-terminated (len excludes the NUL); -ENOENT if absent. */
	int (*read)(struct xsi *x, xsi_tx tx, const char *path, char **val,
		    size_t *len);
	int (*write)(struct xsi *x, xsi_tx tx, const char *path,
		     const char *val, size_t len);
	int (*mkdir)(struct xsi *x, xsi_tx tx, const char *path);
	int (*rm)(struct xsi *x, xsi_tx tx, const char *path);
	/* *names: array of n malloc'd strings, array itself malloc'd. */
	int (*list)(struct xsi *x, xsi_tx tx, const char *path, char ***names,
		    unsigned int *n);
	int (*set_perms)(struct xsi *x, xsi_tx tx, const char *path,
			 const struct xsi_perm *p, unsigned int n);
	int (*get_perms)(struct xsi *x, xsi_tx tx, const char *path,
			 struct xsi_perm *p, unsigned int *n);
	int (*watch)(struct xsi *x, const char *path, const char *token);
	/* fd that becomes readable when a watch event is pending, or -1. */
	int (*watch_fd)(struct xsi *x);
	/* Non-blocking: 1 = one event consumed, 0 = none pending. */
	int (*watch_read)(struct xsi *x, char **path, char **token);
	/* Does xenstored still know the domain (false once it is dying)? */
	bool (*domain_alive)(struct xsi *x, unsigned int domid);
	void (*close)(struct xsi *x);
};

struct xsi {
	const struct xsi_ops *ops;
};

/* Real xenstored connection; NULL + errno if xenstored is unreachable. */
struct xsi *xsi_libxs_open(void);

void xsi_free_list(char **names, unsigned int n);

#endif
