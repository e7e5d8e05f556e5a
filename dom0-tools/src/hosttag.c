// SPDX-License-Identifier: MIT
/* Host identity file. Survives reboots; only init --rotate replaces it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "fileutil.h"
#include "hosttag.h"

bool hosttag_valid(const char *s)
{
	size_t i;

	for (i = 0; i < HOST_TAG_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[HOST_TAG_HEX] == '\0';
}

static int tag_path(const char *dir, char *buf, size_t size)
{
	return snprintf(buf, size, "%s/host-tag", dir) >= (int)size ?
	       -ENAMETOOLONG : 0;
}

int hosttag_load(const char *state_dir, char *tag)
{
	char path[4096], *text;
	size_t len;
	int rc = tag_path(state_dir, path, sizeof(path));

	if (rc || (rc = file_read_all(path, &text, 64)))
		return rc;
	len = strlen(text);
	if (len && text[len - 1] == '\n')
		text[--len] = '\0';
	rc = hosttag_valid(text) ? 0 : -EINVAL;
	if (!rc)
		memcpy(tag, text, HOST_TAG_HEX + 1);
	free(text);
	return rc;
}

int hosttag_create(const char *state_dir, char *tag)
{
	unsigned char raw[HOST_TAG_HEX / 2];
	char path[4096], line[HOST_TAG_HEX + 2];
	size_t i;
	int rc;

	if ((rc = tag_path(state_dir, path, sizeof(path))) ||
	    (rc = dir_ensure(state_dir, 0755)))
		return rc;
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return errno ? -errno : -EIO;
	for (i = 0; i < sizeof(raw); i++)
		snprintf(line + 2 * i, 3, "%02x", raw[i]);
	line[HOST_TAG_HEX] = '\n';
	line[HOST_TAG_HEX + 1] = '\0';
	rc = file_write_atomic(path, line, HOST_TAG_HEX + 1, 0600);
	if (rc)
		return rc;
	memcpy(tag, line, HOST_TAG_HEX);
	tag[HOST_TAG_HEX] = '\0';
	return 0;
}
