// SPDX-License-Identifier: MIT
/* Runs every C unit test of tsmc-xenctl; prints "RESULT <pass> <fail>". */
#include <stdlib.h>

#include "harness.h"

static void run_table(const struct test *t, unsigned int *pass, unsigned int *fail)
{
	for (; t->name; t++) {
		checks_failed_in_test = 0;
		t->fn();
		if (checks_failed_in_test) {
			printf("FAIL %s\n", t->name);
			(*fail)++;
		} else {
			printf("PASS %s\n", t->name);
			(*pass)++;
		}
		fflush(stdout);
	}
}

int main(void)
{
	unsigned int pass = 0, fail = 0;

	run_table(cli_tests, &pass, &fail);
	run_table(policy_tests, &pass, &fail);
	run_table(daemon_tests, &pass, &fail);
	run_table(misc_tests, &pass, &fail);
	printf("RESULT %u %u\n", pass, fail);
	return fail ? EXIT_FAILURE : EXIT_SUCCESS;
}
