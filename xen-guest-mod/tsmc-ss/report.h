/* SPDX-License-Identifier: MIT */
/* What tsmc-ss prints: the connection table and the pair summary. */
#ifndef TSMC_SS_REPORT_H
#define TSMC_SS_REPORT_H

#include <stdio.h>

#include "conns.h"
#include "pairs.h"

/* Both return TSS_OK or TSS_FAIL; write errors are left to ferror(). */
int report_conns(FILE *out, const struct conn_list *list, int header);
int report_summary(FILE *out, const struct pair_list *pairs,
		   const struct doorbell *db);

#endif
