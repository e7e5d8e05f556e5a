// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_pingpong: fixed-size TCP request/response round-trip time.
 *   tcp_pingpong server -p PORT [-b ADDR] [-1]
 *   tcp_pingpong client -c HOST -p PORT [-s SIZE] [-n COUNT] [-w WARMUP]
 * The client checks every echoed message and prints "name value" lines.
 */
#define _POSIX_C_SOURCE 200809L
#include "net_util.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MSG (1 << 20)

static const char *prog = "tcp_pingpong";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server -p PORT [-b ADDR] [-1]\n"
		"       %s client -c HOST -p PORT [-s SIZE] [-n COUNT] [-w WARMUP] [-C CC]\n",
		prog, prog);
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Echo messages back until the client closes; message size is the first read's framing. */
static void serve_one(int fd)
{
	static char buf[65536];
	ssize_t r;

	set_nodelay(fd);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write_full(fd, buf, (size_t)r))
			break;
	close(fd);
}

static int run_server(const char *host, const char *port, int once)
{
	int lfd = tcp_listen(host, port);

	do {
		int fd = tcp_accept(lfd);

		if (fd < 0)
			return 1;
		serve_one(fd);
	} while (!once);
	close(lfd);
	return 0;
}

static int run_client(const char *host, const char *port, size_t size, long count, long warmup,
		      const char *cc)
{
	char *out = malloc(size), *in = malloc(size);
	double *rtt = calloc((size_t)count, sizeof(double)), sum = 0;
	long i;
	int fd, rc = 1;

	if (!out || !in || !rtt) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto done;
	}
	fd = tcp_connect_retry(host, port, 10);
	if (fd < 0) {
		fprintf(stderr, "%s: connect %s:%s: %s\n", prog, host, port, strerror(errno));
		goto done;
	}
	set_nodelay(fd);
	/* Congestion control chosen by hand once connected (lab: a cc the
	 * tsmc module registers, whose init must ignore such a socket). */
	if (cc && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc))) {
		fprintf(stderr, "%s: congestion control %s: %s\n", prog, cc, strerror(errno));
		goto out_fd;
	}
	for (i = -warmup; i < count; i++) {
		double t0;

		/* A per-iteration pattern so a stale or reordered echo is caught. */
		memset(out, (int)(i & 0xff), size);
		memcpy(out, &i, size < sizeof(i) ? size : sizeof(i));
		t0 = now_s();
		errno = 0;
		if (write_full(fd, out, size) || read_full(fd, in, size) != (ssize_t)size) {
			/* The errno tells a reset (the lab's fault tests) from an EOF. */
			fprintf(stderr, "%s: connection lost at iteration %ld: %s\n", prog, i,
				errno ? strerror(errno) : "end of stream");
			goto out_fd;
		}
		if (memcmp(in, out, size)) {
			fprintf(stderr, "%s: echo mismatch at iteration %ld\n", prog, i);
			goto out_fd;
		}
		if (i >= 0) {
			rtt[i] = (now_s() - t0) * 1e6;
			sum += rtt[i];
		}
	}
	qsort(rtt, (size_t)count, sizeof(double), cmp_double);
	printf("iterations %ld\nmsg_bytes %zu\n", count, size);
	printf("rtt_us_avg %.1f\nrtt_us_p50 %.1f\nrtt_us_p99 %.1f\n", sum / (double)count,
	       rtt[count / 2], rtt[(count * 99) / 100]);
	rc = 0;
out_fd:
	close(fd);
done:
	free(out);
	free(in);
	free(rtt);
	return rc;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL, *cc = NULL;
	size_t size = 64;
	long count = 1000, warmup = 10;
	int once = 0, opt, server;

	server = argc < 2 ? -1 : net_role(argv[1]);
	if (server < 0)
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "b:c:p:s:n:w:C:1")) != -1) {
		switch (opt) {
		case 'b':
		case 'c':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 's':
			size = (size_t)parse_size(prog, "message size", optarg);
			break;
		case 'n':
			count = (long)parse_size(prog, "count", optarg);
			break;
		case 'w':
			warmup = atol(optarg);
			break;
		case '1':
			once = 1;
			break;
		case 'C':
			cc = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !port || (!server && !host))
		usage();
	if (size > MAX_MSG || count > 100000000 || warmup < 0) {
		fprintf(stderr, "%s: size must be <= %d, count <= 1e8, warmup >= 0\n", prog, MAX_MSG);
		return 2;
	}
	return server ? run_server(host, port, once) : run_client(host, port, size, count, warmup, cc);
}
