/* SPDX-License-Identifier: MIT */
#ifndef TSMC_FILEUTIL_H
#define TSMC_FILEUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Whole file into a malloc'd NUL-terminated buffer; -EFBIG above max. */
int file_read_all(const char *path, char **out, size_t max);
/* Write to path.tmp, fsync, rename: readers see old or new, never half. */
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* mkdir -p for one level below an existing parent. */
int dir_ensure(const char *path, mode_t mode);

#endif
