// SPDX-License-Identifier: GPL-2.0
#define _POSIX_C_SOURCE 200809L
#include "net_util.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct addrinfo *resolve(const char *host, const char *port, int passive)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* Numeric only: the tools run in guests with no resolver. */
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "error: bad address '%s' port '%s': %s\n",
			host ? host : "*", port, gai_strerror(rc));
		exit(2);
	}
	return res;
}

int tcp_listen(const char *host, const char *port)
{
	struct addrinfo *ai = resolve(host, port, 1);
	int one = 1, fd;

	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
		fprintf(stderr, "error: cannot listen on port %s: %s\n", port, strerror(errno));
		exit(1);
	}
	freeaddrinfo(ai);
	return fd;
}

int tcp_accept(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0 || (errno != EINTR && errno != ECONNABORTED)) {
			if (fd < 0)
				perror("accept");
			return fd;
		}
	}
}

int tcp_connect(const char *host, const char *port)
{
	struct addrinfo *ai = resolve(host, port, 0);
	int fd, err;

	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		err = errno;
		close(fd);
		fd = -1;
		errno = err;
	}
	freeaddrinfo(ai);
	return fd;
}

int tcp_connect_retry(const char *host, const char *port, double wait_s)
{
	double end = now_s() + wait_s;
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int fd;

	while ((fd = tcp_connect(host, port)) < 0 && now_s() < end)
		nanosleep(&pause, NULL);
	return fd;
}

void set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		perror("warning: TCP_NODELAY");
}

ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const char *)buf + done, n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t parse_size(const char *prog, const char *what, const char *s)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30, end++;
	if (errno || end == s || *end || v == 0 || s[0] == '-' || v > UINT64_MAX / mul) {
		fprintf(stderr, "%s: invalid %s '%s' (want a positive integer, optional K/M/G)\n",
			prog, what, s);
		exit(2);
	}
	return v * mul;
}

double parse_seconds(const char *prog, const char *what, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 86400) {
		fprintf(stderr, "%s: invalid %s '%s' (want seconds > 0)\n", prog, what, s);
		exit(2);
	}
	return v;
}

void fill_pattern(uint64_t *state, uint8_t *buf, size_t n)
{
	uint64_t x = *state;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i & 7) == 0) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
		}
		buf[i] = (uint8_t)((x * 0x2545F4914F6CDD1DULL) >> (8 * (i & 7)));
	}
	*state = x;
}

int net_role(const char *arg)
{
	if (!strcmp(arg, "server"))
		return 1;
	if (!strcmp(arg, "client"))
		return 0;
	return -1;
}
