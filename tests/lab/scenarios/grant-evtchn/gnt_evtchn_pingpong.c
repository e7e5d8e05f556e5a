// SPDX-License-Identifier: GPL-2.0
/*
 * gnt_evtchn_pingpong: two domUs share one page through a grant
 * (libxengnttab) and ping-pong over an interdomain event channel
 * (libxenevtchn); every message is checked.
 *   serve PEER_DOMID [-n COUNT]        grants a page, allocates a port,
 *                                      prints "ref R" / "port P", then answers
 *   ping PEER_DOMID REF PORT [-n COUNT]  maps the page, binds the port, drives
 * One writer per field: the pinger owns ping_seq/ping[], the server pong_*.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define MSG 1024
#define WAIT_MS 30000

struct shared_page {
	uint32_t ping_seq;
	uint32_t pong_seq;
	uint8_t ping[MSG];
	uint8_t pong[MSG];
};

static const char *prog = "gnt_evtchn_pingpong";

static void usage(void)
{
	fprintf(stderr, "usage: %s serve PEER_DOMID [-n COUNT]\n"
			"       %s ping PEER_DOMID REF PORT [-n COUNT]\n", prog, prog);
	exit(2);
}

static uint32_t parse_u32(const char *what, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "%s: invalid %s '%s'\n", prog, what, s);
		exit(2);
	}
	return (uint32_t)v;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void fill_ping(uint8_t *p, uint32_t seq)
{
	for (int i = 0; i < MSG; i++)
		p[i] = (uint8_t)(seq * 31 + (uint32_t)i * 7);
}

/* Block until *field == want, consuming event-channel notifications. */
static int wait_for(xenevtchn_handle *xce, const uint32_t *field, uint32_t want)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };

	while (__atomic_load_n(field, __ATOMIC_ACQUIRE) != want) {
		int r = poll(&pfd, 1, WAIT_MS);
		xenevtchn_port_or_error_t port;

		if (r == 0) {
			fprintf(stderr, "%s: no event for %d ms waiting for seq %" PRIu32 "\n",
				prog, WAIT_MS, want);
			return -1;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return -1;
		}
		port = xenevtchn_pending(xce);
		if (port < 0 || xenevtchn_unmask(xce, (evtchn_port_t)port) < 0) {
			perror("xenevtchn_pending/unmask");
			return -1;
		}
	}
	return 0;
}

static int serve(uint32_t peer, uint32_t count)
{
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	struct shared_page *pg;
	xenevtchn_port_or_error_t port;
	uint8_t want[MSG];
	uint32_t ref, i;
	int rc = 1;

	if (!xgs || !xce) {
		fprintf(stderr, "%s: cannot open gntalloc/evtchn devices: %s\n", prog, strerror(errno));
		return 1;
	}
	pg = xengntshr_share_pages(xgs, peer, 1, &ref, 1);
	if (!pg) {
		fprintf(stderr, "%s: granting a page to domain %u failed: %s\n", prog, peer, strerror(errno));
		return 1;
	}
	memset(pg, 0, sizeof(*pg));
	port = xenevtchn_bind_unbound_port(xce, peer);
	if (port < 0) {
		fprintf(stderr, "%s: allocating an event channel for domain %u failed: %s\n",
			prog, peer, strerror(errno));
		goto out;
	}
	printf("ref %" PRIu32 "\nport %d\n", ref, port);
	fflush(stdout);
	for (i = 1; i <= count; i++) {
		if (wait_for(xce, &pg->ping_seq, i))
			goto out;
		fill_ping(want, i);
		if (memcmp(pg->ping, want, MSG)) {
			fprintf(stderr, "%s: ping %" PRIu32 " data corrupt\n", prog, i);
			goto out;
		}
		/* The answer is derived from what we read, so the pinger checks us too. */
		for (int j = 0; j < MSG; j++)
			pg->pong[j] = (uint8_t)~pg->ping[j];
		/* pong[] visible /before/ pong_seq; pairs with the acquire in wait_for(). */
		__atomic_store_n(&pg->pong_seq, i, __ATOMIC_RELEASE);
		xenevtchn_notify(xce, (evtchn_port_t)port);
	}
	printf("served %" PRIu32 "\n", count);
	rc = 0;
out:
	if (port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)port);
	xengntshr_unshare(xgs, pg, 1);
	xengntshr_close(xgs);
	xenevtchn_close(xce);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int ping(uint32_t peer, uint32_t ref, uint32_t rport, uint32_t count)
{
	xengnttab_handle *xgt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	double *rtt = calloc(count, sizeof(double)), sum = 0;
	struct shared_page *pg;
	xenevtchn_port_or_error_t lport;
	uint32_t i, checked = 0;
	int rc = 1, map_retries = 0;

	if (!xgt || !xce || !rtt) {
		fprintf(stderr, "%s: cannot open gntdev/evtchn devices: %s\n", prog, strerror(errno));
		return 1;
	}
	/*
	 * A map once failed with EINVAL on a heavily loaded host and worked on
	 * the next run; retry a little, and report the retries as a metric so
	 * they stay visible.
	 */
	for (;;) {
		pg = xengnttab_map_grant_ref(xgt, peer, ref, PROT_READ | PROT_WRITE);
		if (pg)
			break;
		fprintf(stderr, "%s: mapping grant %u of domain %u failed: %s\n", prog, ref, peer, strerror(errno));
		if (++map_retries > 3)
			return 1;
		sleep(1);
	}
	lport = xenevtchn_bind_interdomain(xce, peer, rport);
	if (lport < 0) {
		fprintf(stderr, "%s: binding port %u of domain %u failed: %s\n", prog, rport, peer, strerror(errno));
		goto out;
	}
	for (i = 1; i <= count; i++) {
		double t0 = now_us();

		fill_ping(pg->ping, i);
		__atomic_store_n(&pg->ping_seq, i, __ATOMIC_RELEASE);
		xenevtchn_notify(xce, (evtchn_port_t)lport);
		if (wait_for(xce, &pg->pong_seq, i))
			goto out;
		rtt[i - 1] = now_us() - t0;
		sum += rtt[i - 1];
		for (int j = 0; j < MSG; j++) {
			if ((uint8_t)(pg->pong[j] ^ pg->ping[j]) != 0xff) {
				fprintf(stderr, "%s: pong %" PRIu32 " byte %d wrong\n", prog, i, j);
				goto out;
			}
		}
		checked++;
	}
	qsort(rtt, count, sizeof(double), cmp_double);
	printf("iterations %" PRIu32 "\nchecked %" PRIu32 "\nmap_retries %d\n", count, checked,
	       map_retries);
	printf("rtt_us_avg %.1f\nrtt_us_p50 %.1f\nrtt_us_p99 %.1f\n", sum / count, rtt[count / 2],
	       rtt[(count * 99) / 100]);
	rc = 0;
out:
	if (lport >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)lport);
	xengnttab_unmap(xgt, pg, 1);
	xengnttab_close(xgt);
	xenevtchn_close(xce);
	free(rtt);
	return rc;
}

int main(int argc, char **argv)
{
	uint32_t count = 1000;
	int pos = argc;

	/* Optional trailing "-n COUNT". */
	if (argc >= 4 && !strcmp(argv[argc - 2], "-n")) {
		count = parse_u32("count", argv[argc - 1]);
		pos = argc - 2;
	}
	if (count == 0 || count > 10000000)
		usage();
	if (pos == 3 && !strcmp(argv[1], "serve"))
		return serve(parse_u32("domid", argv[2]), count);
	if (pos == 5 && !strcmp(argv[1], "ping"))
		return ping(parse_u32("domid", argv[2]), parse_u32("grant ref", argv[3]),
			    parse_u32("port", argv[4]), count);
	usage();
	return 2;
}
