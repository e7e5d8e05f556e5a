/* SPDX-License-Identifier: MIT */
/* Host identity: 8 random bytes kept in <state-dir>/host-tag as 16 hex. */
#ifndef TSMC_HOSTTAG_H
#define TSMC_HOSTTAG_H

#include <stdbool.h>

#define HOST_TAG_HEX 16

/* tag: HOST_TAG_HEX+1 bytes. -ENOENT if init was never run, -EINVAL if
 * the file is not exactly 16 lowercase hex chars (+ optional newline). */
int hosttag_load(const char *state_dir, char *tag);
/* New random tag, written atomically (mode 0600). */
int hosttag_create(const char *state_dir, char *tag);
bool hosttag_valid(const char *s);

#endif
