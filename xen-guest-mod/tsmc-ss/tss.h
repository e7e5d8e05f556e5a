/* SPDX-License-Identifier: MIT */
/* What every part of tsmc-ss shares: exit statuses, peer limits, arrays. */
#ifndef TSMC_SS_TSS_H
#define TSMC_SS_TSS_H

/* Exit statuses; functions return them so main() can pass them on. */
enum { TSS_OK = 0, TSS_FAIL = 1, TSS_BAD = 2 };

/* Largest domid_t; peers are validated against it. */
#define TSS_DOMID_MAX 65535
/* Peer filter value meaning "every peer". */
#define TSS_ALL_PEERS (-1L)

#include <stddef.h>

/*
 * Room for element @n of an array of @cap elements of @size: the array
 * itself, or a doubled copy (*cap updated); NULL, with a message, when
 * memory runs out (the old array is still the caller's).
 */
void *tss_grow(void *v, size_t n, size_t *cap, size_t size);

#endif
