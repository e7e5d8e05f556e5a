/* SPDX-License-Identifier: MIT */
/* Tiny test harness: CHECK records a failure and goes on; each test is a
 * function in a table; the runner prints one result line. */
#ifndef TSMC_HARNESS_H
#define TSMC_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fake_xs.h"
#include "xenctl.h"

extern unsigned int checks_failed_in_test;

#define CHECK(cond) do { \
	if (!(cond)) { \
		checks_failed_in_test++; \
		fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { \
		checks_failed_in_test++; \
		fprintf(stderr, "  %s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
			#a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} \
} while (0)

#define CHECK_HAS(hay, needle) do { \
	const char *h_ = (hay); \
	if (!h_ || !strstr(h_, (needle))) { \
		checks_failed_in_test++; \
		fprintf(stderr, "  %s:%d: \"%s\" not in: %s\n", __FILE__, __LINE__, \
			(needle), h_ ? h_ : "(null)"); \
	} \
} while (0)

struct test {
	const char *name;
	void (*fn)(void);
};

/* One test environment: fake xenstore, temp state dir and policy path. */
struct env {
	struct fake_xs *xs;
	bool xenstored_absent;
	char dir[256], state_dir[300], policy[300];
	char out[65536], err[65536];
	struct grant_info grants;
	int grant_rc;
	unsigned int max_passes;
};

void env_init(struct env *e);
void env_fini(struct env *e);
/* Run tsmc-xenctl with a command line split on spaces; returns exit code. */
int run(struct env *e, const char *cmdline);
/* Standard host: init done; guests 3 "alpha", 7 "beta", 9 "gamma". */
void env_host(struct env *e);
char *read_file(const char *path);
void write_file(const char *path, const char *text);
const char *uuid_of(unsigned int domid);
/* path built from a printf template */
const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern const struct test cli_tests[], policy_tests[], daemon_tests[], misc_tests[];

#endif
