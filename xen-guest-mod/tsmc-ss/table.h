/* SPDX-License-Identifier: MIT */
/* Text columns aligned like ss(8): widths from the widest cell. */
#ifndef TSMC_SS_TABLE_H
#define TSMC_SS_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table_col {
	const char *head;
	int right;		/* numbers right-aligned, text left */
};

struct table {
	const struct table_col *cols;
	size_t ncols;
	char **cells;		/* nrows * ncols, row by row */
	size_t nrows, cap;
};

void table_init(struct table *t, const struct table_col *cols, size_t ncols);
/* Copies ncols strings. Returns TSS_OK or TSS_FAIL (out of memory). */
int table_add(struct table *t, const char *const *cells);
/* TSS_OK, or TSS_FAIL (out of memory) before printing anything. */
int table_print(const struct table *t, FILE *out, int header);
void table_free(struct table *t);

#endif
