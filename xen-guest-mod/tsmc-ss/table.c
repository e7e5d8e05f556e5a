// SPDX-License-Identifier: MIT
/* Aligned text columns, two spaces apart, no trailing blanks. */
#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tss.h"

void table_init(struct table *t, const struct table_col *cols, size_t ncols)
{
	*t = (struct table){ .cols = cols, .ncols = ncols };
}

static int grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	char **cells;

	if (cap > SIZE_MAX / t->ncols)
		return TSS_FAIL;
	cells = reallocarray(t->cells, cap * t->ncols, sizeof(*cells));
	if (!cells)
		return TSS_FAIL;
	t->cells = cells;
	t->cap = cap;
	return TSS_OK;
}

int table_add(struct table *t, const char *const *cells)
{
	char **row;

	if (t->nrows == t->cap && grow(t)) {
		fprintf(stderr, "tsmc-ss: out of memory\n");
		return TSS_FAIL;
	}
	row = &t->cells[t->nrows * t->ncols];
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c]);
		if (!row[c]) {
			while (c--)
				free(row[c]);
			fprintf(stderr, "tsmc-ss: out of memory\n");
			return TSS_FAIL;
		}
	}
	t->nrows++;
	return TSS_OK;
}

/* Headers count even when not printed: -H output lines up the same. */
static size_t col_width(const struct table *t, size_t c)
{
	size_t w = strlen(t->cols[c].head);

	for (size_t r = 0; r < t->nrows; r++) {
		size_t len = strlen(t->cells[r * t->ncols + c]);

		if (len > w)
			w = len;
	}
	return w;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		putc(' ', out);
}

static void print_row(const struct table *t, FILE *out,
		      const char *const *cells, const size_t *width)
{
	for (size_t c = 0; c < t->ncols; c++) {
		size_t gap = width[c] - strlen(cells[c]);

		if (c)
			fputs("  ", out);
		if (t->cols[c].right)
			pad(out, gap);
		fputs(cells[c], out);
		if (!t->cols[c].right && c + 1 < t->ncols)
			pad(out, gap);
	}
	putc('\n', out);
}

int table_print(const struct table *t, FILE *out, int header)
{
	size_t *width = calloc(t->ncols, sizeof(*width));
	const char **heads = calloc(t->ncols, sizeof(*heads));
	int rc = TSS_FAIL;

	if (!width || !heads) {
		fprintf(stderr, "tsmc-ss: out of memory\n");
		goto out;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = col_width(t, c);
		heads[c] = t->cols[c].head;
	}
	if (header)
		print_row(t, out, heads, width);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, out, (const char *const *)&t->cells[r * t->ncols],
			  width);
	rc = TSS_OK;
out:
	free(width);
	free(heads);
	return rc;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
