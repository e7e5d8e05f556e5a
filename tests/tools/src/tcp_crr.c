// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_crr: TCP connect + accept + close rate.
 *   tcp_crr server -p PORT [-b ADDR] [-n MAX]
 *   tcp_crr client -c HOST -p PORT [-d SECONDS]
 * The server accepts and closes at once; the client connects, waits for the
 * server's FIN (so each cycle really completed accept and close), closes.
 * The client also prints the mean time of each phase (connect, wait for
 * EOF, close), to say where a slow cycle spends its time.
 */
#define _POSIX_C_SOURCE 200809L
#include "net_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *prog = "tcp_crr";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server -p PORT [-b ADDR] [-n MAX]\n"
		"       %s client -c HOST -p PORT [-d SECONDS]\n",
		prog, prog);
	exit(2);
}

static int run_server(const char *host, const char *port, unsigned long max)
{
	int lfd = tcp_listen(host, port);
	unsigned long n;

	for (n = 0; !max || n < max;) {
		int fd = tcp_accept(lfd);

		if (fd < 0)
			return 1;
		close(fd);
		n++;
	}
	close(lfd);
	printf("accepted %lu\n", n);
	return 0;
}

static int run_client(const char *host, const char *port, double secs)
{
	double t0, end, el, ta, tb, tc, sum[3] = { 0 };
	unsigned long n = 0;
	char c;
	int fd;

	/* First connection may wait for the server to come up; not timed. */
	fd = tcp_connect_retry(host, port, 10);
	if (fd < 0) {
		fprintf(stderr, "%s: connect %s:%s: %s\n", prog, host, port, strerror(errno));
		return 1;
	}
	close(fd);
	t0 = now_s();
	end = t0 + secs;
	while ((ta = now_s()) < end) {
		fd = tcp_connect(host, port);
		tb = now_s();
		if (fd < 0) {
			fprintf(stderr, "%s: connect #%lu: %s\n", prog, n, strerror(errno));
			return 1;
		}
		if (read(fd, &c, 1) != 0) {
			fprintf(stderr, "%s: expected EOF from server on #%lu\n", prog, n);
			close(fd);
			return 1;
		}
		tc = now_s();
		close(fd);
		sum[0] += tb - ta;
		sum[1] += tc - tb;
		sum[2] += now_s() - tc;
		n++;
	}
	el = now_s() - t0;
	printf("connections %lu\nseconds %.3f\ncrr_per_s %.1f\n", n, el, (double)n / el);
	if (n)
		printf("connect_ms_avg %.3f\neof_ms_avg %.3f\nclose_ms_avg %.3f\n",
		       sum[0] * 1e3 / n, sum[1] * 1e3 / n, sum[2] * 1e3 / n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL;
	unsigned long max = 0;
	double secs = 3;
	int opt, server;

	server = argc < 2 ? -1 : net_role(argv[1]);
	if (server < 0)
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "b:c:p:n:d:")) != -1) {
		switch (opt) {
		case 'b':
		case 'c':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'n':
			max = (unsigned long)parse_size(prog, "max connections", optarg);
			break;
		case 'd':
			secs = parse_seconds(prog, "duration", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !port || (!server && !host))
		usage();
	return server ? run_server(host, port, max) : run_client(host, port, secs);
}
