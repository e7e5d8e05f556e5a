// SPDX-License-Identifier: MIT
/* Policy file load/save: the policy lives in dom0's filesystem so it
 * survives reboots and xenstored restarts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "policy.h"

#define POLICY_FILE_MAX (64 * 1024)

int policy_load(struct policy *p, const char *path, char *err, size_t errlen)
{
	char *text;
	int rc = file_read_all(path, &text, POLICY_FILE_MAX);

	if (rc == -ENOENT) {
		policy_init(p);
		return 0;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = policy_parse(p, text, err, errlen);
	free(text);
	return rc;
}

int policy_save(const struct policy *p, const char *path)
{
	static char buf[POLICY_FILE_MAX];
	int rc = policy_format(p, buf, sizeof(buf));

	return rc ? rc : file_write_atomic(path, buf, strlen(buf), 0644);
}
