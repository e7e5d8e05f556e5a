/* SPDX-License-Identifier: MIT */
/* In-memory xenstore for unit tests: xenstored's node, permission and
 * transaction semantics, plus fault injection. */
#ifndef TSMC_FAKE_XS_H
#define TSMC_FAKE_XS_H

#include <stdbool.h>

#include "xsi.h"

struct fake_node {
	char *path;
	char *val;
	struct xsi_perm perm[XSI_MAX_PERMS];
	unsigned int nperm;
};

struct fake_tree {
	struct fake_node *n;
	unsigned int nr, cap;
};

struct fake_xs {
	struct xsi base;
	struct fake_tree t;
	struct fake_tree tx_tree;	/* one transaction at a time */
	bool tx_open;
	unsigned long gen, tx_gen;	/* gen bumps on every committed change */
	/* Fault injection. */
	int eagain_commits;		/* next N commits fail with EAGAIN */
	int fail_ops_after;		/* -1 off; else fail the (N+1)th write-type op */
	unsigned int dead[16];		/* domids xenstored no longer knows */
	unsigned int ndead;
	/* Watches: paths registered, events queued by fake_xs_fire. */
	char *watches[8];
	char *wtokens[8];
	unsigned int nwatches;
	char *events[32];
	unsigned int nevents;
	int pipefd[2];			/* readable while events are queued */
	/* Script: destroy this domid right after the Nth successful commit
	 * from now (as xl destroy may hit at any moment). */
	unsigned int destroy_domid;
	int destroy_after_commits;
	/* Counters for assertions. */
	unsigned int commits, aborts, ops;
};

struct fake_xs *fake_xs_new(void);
void fake_xs_free(struct fake_xs *f);
/* Direct setup, outside any transaction; perms like "n0,r3". */
void fake_xs_set(struct fake_xs *f, const char *path, const char *val, const char *perms);
/* Create a guest as xl would: home, name, vm, data/ (guest-writable). */
void fake_xs_add_domain(struct fake_xs *f, unsigned int domid, const char *name,
			const char *uuid);
/* Domain destroyed: libxl removes its home, xenstored forgets it. */
void fake_xs_destroy_domain(struct fake_xs *f, unsigned int domid);
/* NULL if absent; pointer into the tree. */
const char *fake_xs_get(struct fake_xs *f, const char *path);
/* "n0,r3" form of the node's perms, or NULL. */
const char *fake_xs_perms(struct fake_xs *f, const char *path, char *buf, unsigned int size);
/* xenstored's access check for an unprivileged domain. */
bool fake_xs_can(struct fake_xs *f, unsigned int domid, const char *path, unsigned int bits);
/* Number of nodes at or below path. */
unsigned int fake_xs_count(struct fake_xs *f, const char *path);
/* Whole tree as "path = \"val\" (perms)" lines, sorted; caller frees. */
char *fake_xs_dump(struct fake_xs *f);
void fake_xs_fire(struct fake_xs *f, const char *path);

#endif
