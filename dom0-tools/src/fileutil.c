// SPDX-License-Identifier: MIT
/* Small file helpers for dom0-side state (policy, host identity). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"

int file_read_all(const char *path, char **out, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, max + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > max) {
			free(buf);
			close(fd);
			return -EFBIG;
		}
	}
	if (n < 0) {
		int e = errno;

		free(buf);
		close(fd);
		return -e;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char tmp[4096];
	size_t off = 0;
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		e = errno;
		unlink(tmp);
		return -e;
	}
	if (rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
fail:
	e = errno;
	close(fd);
	unlink(tmp);
	return -e;
}

int dir_ensure(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}
