/* SPDX-License-Identifier: MIT */
/* Reading the module's key=value line files (/proc/net/tsmc_xen, sysfs). */
#ifndef TSMC_SS_KVFILE_H
#define TSMC_SS_KVFILE_H

#include <stddef.h>
#include <stdint.h>

#include "tss.h"

struct kv {
	const char *key;
	const char *val;
};

/* One split line; key and val point into the line buffer. */
struct kv_line {
	const char *file;
	size_t lineno;
	struct kv *f;
	size_t n, cap;
};

/* Called for each non-blank line; returns a TSS_* status. */
typedef int (*kv_line_fn)(void *ctx, const struct kv_line *l);

/*
 * Read path line by line. A missing file means the module is not loaded.
 * Returns TSS_OK, TSS_FAIL (cannot read) or the first non-OK status of fn.
 */
int kv_file_read(const char *path, kv_line_fn fn, void *ctx);

/*
 * Typed field lookups: TSS_OK, or TSS_BAD after a message naming the
 * file, line and field. Unknown keys are never looked at (forward
 * compatibility); a missing key is an error.
 */
int kv_str(const struct kv_line *l, const char *key, const char **out);
int kv_u64(const struct kv_line *l, const char *key, uint64_t max,
	   uint64_t *out);
int kv_bool(const struct kv_line *l, const char *key, int *out);

/* Report a bad field value found by the caller; returns TSS_BAD. */
int kv_bad(const struct kv_line *l, const char *key, const char *why,
	   const char *val);

#endif
