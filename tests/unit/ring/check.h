/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Minimal test harness: a case fails if any CHECK in it fails. */
#ifndef TSMC_TEST_CHECK_H
#define TSMC_TEST_CHECK_H

#include <stdio.h>

static int check_failed;	/* failures in the running case */
static int cases_passed, cases_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		check_failed++;						\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		check_failed++;						\
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
			__FILE__, __LINE__, #a, _a, #b, _b);		\
	}								\
} while (0)

#define RUN(fn) do {							\
	check_failed = 0;						\
	fn();								\
	if (check_failed) {						\
		cases_failed++;						\
		printf("FAIL %s\n", #fn);				\
	} else {							\
		cases_passed++;						\
		printf("ok   %s\n", #fn);				\
	}								\
	fflush(stdout);							\
} while (0)

#define CHECK_SUMMARY() \
	(printf("%d passed, %d failed\n", cases_passed, cases_failed), \
	 cases_failed ? 1 : 0)

#endif
