// SPDX-License-Identifier: GPL-2.0
/* One TCP connection from netns A to netns B that must carry data. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"

static int md5_key(int fd, const struct sockaddr_storage *peer, socklen_t len)
{
	struct tcp_md5sig sig = { .tcpm_keylen = 8 };

	memcpy(&sig.tcpm_addr, peer, len);
	memcpy(sig.tcpm_key, "tsmctest", 8);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

int listen_in_b(struct testenv *e, bool md5)
{
	struct sockaddr_storage ss, peer;
	socklen_t len, plen;
	int fd, one = 1;

	if (env_enter(e, SIDE_B))
		return -1;
	env_addr(e, SIDE_B, &ss, &len, SERVER_PORT);
	env_addr(e, SIDE_A, &peer, &plen, 0);
	fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one)) ||
	    (md5 && md5_key(fd, &peer, plen)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		fprintf(stderr, "  listen: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	env_leave(e);
	return fd;
}

static int accept_timeout(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

static int recv_exact(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (poll(&p, 1, ms) != 1)
			return -1;
		n = recv(fd, buf + got, len - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Connect from A (socket made inside A's netns and cgroup), accept in B. */
int connect_from_a(struct testenv *e, bool md5, int lfd,
			  struct capture *cap, int *cfd, int *sfd)
{
	struct sockaddr_storage srv, me;
	socklen_t len, mlen = sizeof(me);
	char buf[4];
	int err = -1;

	*cfd = *sfd = -1;
	if (env_enter(e, SIDE_A))
		return -1;
	if (capture_open(cap, "va"))
		goto out;
	env_addr(e, SIDE_B, &srv, &len, SERVER_PORT);
	*cfd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*cfd < 0 || (md5 && md5_key(*cfd, &srv, len)) ||
	    connect(*cfd, (struct sockaddr *)&srv, len)) {
		fprintf(stderr, "  connect: %s\n", strerror(errno));
		goto out;
	}
	*sfd = accept_timeout(lfd, 5000);
	if (*sfd < 0) {
		fprintf(stderr, "  accept: %s\n", strerror(errno));
		goto out;
	}
	/* the connection must carry data both ways, whatever BPF did */
	if (send(*cfd, "ping", 4, 0) != 4 || recv_exact(*sfd, buf, 4, 3000) ||
	    memcmp(buf, "ping", 4) || send(*sfd, "pong", 4, 0) != 4 ||
	    recv_exact(*cfd, buf, 4, 3000) || memcmp(buf, "pong", 4)) {
		fprintf(stderr, "  data exchange failed\n");
		goto out;
	}
	getsockname(*cfd, (struct sockaddr *)&me, &mlen);
	cap->client_port = ntohs(((struct sockaddr_in *)&me)->sin_port);
	usleep(20000);
	capture_drain(cap);
	err = 0;
out:
	env_leave(e);
	return err;
}

