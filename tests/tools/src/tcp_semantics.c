// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_semantics: socket behaviour an application can observe on a TCP
 * connection, checked from both ends.
 *   tcp_semantics server [-6] [-t SCALE] -p PORT
 *   tcp_semantics client [-6] [-t SCALE] HOST -p PORT [CASE...]
 *   tcp_semantics list
 * The client prints one "ok   NAME" or "FAIL NAME: why" line per check, its
 * own and then the server's, and "N passed, M failed"; nothing depends on
 * timing, ports or addresses, so runs on two paths can be diffed.
 *
 * Each case has a control connection ("case NAME", step words, at the end
 * the server's check lines) plus its own data connection(s), so a reset
 * data connection cannot lose the server's verdict. Every data stream is
 * a position-dependent pattern, so lost, repeated or reordered bytes show.
 */
#define _GNU_SOURCE
#include "net_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1u << 20)
#define MAXCONN 64
#define BUF (256u << 10)
#define FILL_CAP (256ull << 20) /* no EAGAIN after this much: the path buffers forever */

static const char *prog = "tcp_semantics";
static double scale = 1;      /* -t: stretches every timeout and pause */
#define T_WAIT (5 * scale)    /* something that should happen soon */
#define T_QUIET (0.2 * scale) /* window in which nothing must happen */
#define T_CASE (30 * scale)   /* one case half; alarm() backstop */

static volatile sig_atomic_t timed_out;
static uint8_t txbuf[BUF], rxbuf[BUF];

struct ctx;
struct tcase {
	const char *name;
	void (*cli)(struct ctx *c);
	void (*srv)(struct ctx *c);
};

struct ctx {
	const struct tcase *tc;
	int id;                  /* index in cases[], part of every pattern seed */
	int server;
	int ctl;
	int lfd;                 /* server: the data connections arrive here too */
	const char *host, *port; /* client: where to open them */
	int data[MAXCONN];
	int brk;                 /* server: TCP_SEMANTICS_BREAK names this case */
	int client_fin;          /* server: client already said "fin" */
	char why[256];
	char res[4096];          /* server: check lines, sent when the case ends */
	size_t reslen;
	int passed, failed;
};

/* ---- results ---------------------------------------------------------- */

static int whyf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int whyf(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Keep the first (innermost) reason, say where it happened. */
static int why_at(struct ctx *c, const char *where)
{
	char tmp[sizeof(c->why)];

	/* A long detail may be cut short; that is fine. */
	if (snprintf(tmp, sizeof(tmp), "%s: %s", where, c->why) >= 0)
		memcpy(c->why, tmp, sizeof(tmp));
	return -1;
}

static int expect(struct ctx *c, int cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int expect(struct ctx *c, int cond, const char *fmt, ...)
{
	va_list ap;

	if (!cond) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof(c->why), fmt, ap);
		va_end(ap);
	}
	return cond;
}

static int report(struct ctx *c, const char *what, int ok)
{
	char line[512];
	int n;

	if (ok)
		n = snprintf(line, sizeof(line), "ok   %s.%s.%s\n", c->tc->name,
			     c->server ? "server" : "client", what);
	else
		n = snprintf(line, sizeof(line), "FAIL %s.%s.%s: %s\n", c->tc->name,
			     c->server ? "server" : "client", what, c->why[0] ? c->why : "failed");
	ok ? c->passed++ : c->failed++;
	c->why[0] = 0;
	if (!c->server) {
		fputs(line, stdout);
		fflush(stdout);
	} else if (n > 0 && c->reslen + (size_t)n < sizeof(c->res)) {
		memcpy(c->res + c->reslen, line, (size_t)n);
		c->reslen += (size_t)n;
	}
	return ok;
}

/* A step the rest of the case half depends on: report only its failure, and leave. */
#define STEP(c, what, expr)                      \
	do {                                     \
		if ((expr) < 0) {                \
			report((c), (what), 0);  \
			return;                  \
		}                                \
	} while (0)

/* "returned N" or the error, for failure details. */
static const char *rstr(ssize_t r, int e)
{
	static char s[96];

	if (r >= 0)
		snprintf(s, sizeof(s), "returned %zd", r);
	else
		snprintf(s, sizeof(s), "failed: %s", e == EINTR ? "case timed out" : strerror(e));
	return s;
}

static int is_again(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK;
}

/* ---- timing ----------------------------------------------------------- */

/* The case alarm keeps firing every second, so a blocking call entered
 * just after it went off is interrupted as well. */
static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	alarm(1);
}

static void arm(double secs)
{
	timed_out = 0;
	alarm((unsigned)(secs + 0.999));
}

static void disarm(void)
{
	alarm(0);
	timed_out = 0;
}

static int ms(double s)
{
	return s <= 0 ? 0 : (int)(s * 1000 + 0.5);
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* ---- patterns --------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Byte at stream offset off depends on seed and offset only. */
static void pat_fill(uint8_t *buf, size_t n, uint32_t seed, uint64_t off)
{
	uint64_t blk = UINT64_MAX, w = 0;
	size_t i;

	for (i = 0; i < n; i++, off++) {
		if (off >> 3 != blk) {
			blk = off >> 3;
			w = mix64((uint64_t)seed << 40 ^ blk);
		}
		buf[i] = (uint8_t)(w >> (8 * (off & 7)));
	}
}

static int pat_verify(struct ctx *c, const uint8_t *buf, size_t n, uint32_t seed, uint64_t off)
{
	uint8_t want[4096];
	size_t i, j, k;

	for (i = 0; i < n; i += k) {
		k = n - i < sizeof(want) ? n - i : sizeof(want);
		pat_fill(want, k, seed, off + i);
		if (c->brk && off + i == 0)
			want[0] ^= 0x01; /* TCP_SEMANTICS_BREAK, see out_fill() */
		if (!memcmp(buf + i, want, k))
			continue;
		for (j = 0; buf[i + j] == want[j]; j++)
			;
		return whyf(c, "byte %llu is 0x%02x, want 0x%02x",
			    (unsigned long long)(off + i + j), buf[i + j], want[j]);
	}
	return 0;
}

/* Seed of a stream: case, direction (0: client to server), connection. */
static uint32_t seed(const struct ctx *c, int dir, int conn)
{
	return (uint32_t)(c->id + 1) << 16 | (uint32_t)dir << 8 | (uint32_t)conn;
}

static uint32_t tx_seed(const struct ctx *c)
{
	return seed(c, c->server, 0);
}

static uint32_t rx_seed(const struct ctx *c)
{
	return seed(c, !c->server, 0);
}

/* Bytes to send. The server of the TCP_SEMANTICS_BREAK case flips byte 0
 * of each stream it sends (by position, so a resend after a short send
 * carries the same corruption) and expects it flipped in each stream it
 * receives (pat_verify()). */
static void out_fill(struct ctx *c, uint8_t *buf, size_t n, uint32_t seed, uint64_t off)
{
	pat_fill(buf, n, seed, off);
	if (c->brk && off == 0 && n)
		buf[0] ^= 0x01;
}

/* ---- socket helpers --------------------------------------------------- */

/* poll one fd: 1 ready (revents in *rev), 0 nothing within secs, -1 error. */
static int wait_fd(struct ctx *c, int fd, short events, double secs, short *rev)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, ms(secs));

	if (r < 0)
		return whyf(c, "poll: %s", errno == EINTR ? "case timed out" : strerror(errno));
	if (rev)
		*rev = p.revents;
	return r;
}

/* Wait (T_WAIT) until poll reports one of events itself, not only an error. */
static int wait_ready(struct ctx *c, int fd, short events, const char *what)
{
	short rev = 0;
	int r = wait_fd(c, fd, events, T_WAIT, &rev);

	if (r < 0)
		return -1;
	if (r == 0)
		return whyf(c, "no %s within the timeout", what);
	if (!(rev & events))
		return whyf(c, "poll reported 0x%x, not %s", (unsigned)rev, what);
	return 0;
}

static int set_nonblock(struct ctx *c, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return whyf(c, "fcntl: %s", strerror(errno));
	return 0;
}

static int set_int(struct ctx *c, int fd, int opt, const char *name, int v)
{
	if (setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)))
		return whyf(c, "%s: %s", name, strerror(errno));
	return 0;
}

static int set_timeo(struct ctx *c, int fd, int opt, const char *name, double secs)
{
	struct timeval tv = { (time_t)secs, (suseconds_t)((secs - (double)(time_t)secs) * 1e6) };

	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)))
		return whyf(c, "%s: %s", name, strerror(errno));
	return 0;
}

/* Wait until SIOCINQ/SIOCOUTQ reads want (data and ACKs may still be on the way). */
static int wait_q(struct ctx *c, int fd, unsigned long req, int want, double secs)
{
	const char *name = req == SIOCINQ ? "SIOCINQ" : "SIOCOUTQ";
	double end = now_s() + secs;
	int v;

	for (;;) {
		if (ioctl(fd, req, &v))
			return whyf(c, "%s: %s", name, strerror(errno));
		if (v == want)
			return 0;
		if (req == SIOCINQ && v > want)
			return whyf(c, "%s is %d, want %d", name, v, want);
		if (timed_out || now_s() > end)
			return whyf(c, "%s stays at %d, want %d", name, v, want);
		nap(0.002);
	}
}

/* Raw bytes (control lines, headers) on a blocking socket. */
static int send_bytes(struct ctx *c, int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);

		if (r < 0)
			return whyf(c, "send %s", rstr(r, errno));
		done += (size_t)r;
	}
	return 0;
}

/* One line, a byte at a time so nothing after it is consumed. */
static int read_line(struct ctx *c, int fd, char *buf, size_t n, double secs)
{
	double end = now_s() + secs;
	size_t len = 0;

	for (;;) {
		ssize_t r;
		int w = wait_fd(c, fd, POLLIN, end - now_s(), NULL);

		if (w <= 0)
			return w ? -1 : whyf(c, "no line within the timeout");
		r = recv(fd, buf + len, 1, 0);
		if (r == 0)
			return whyf(c, "connection closed");
		if (r < 0)
			return whyf(c, "recv %s", rstr(r, errno));
		if (buf[len] == '\n') {
			buf[len] = 0;
			return 0;
		}
		if (++len == n)
			return whyf(c, "line too long");
	}
}

/* The next chunk size: sizes[] cycled (NULL: a whole buffer), at most left. */
static size_t next_len(const size_t *sizes, size_t *k, size_t left)
{
	size_t len = sizes ? sizes[*k] : BUF;

	if (sizes && !sizes[++*k])
		*k = 0;
	return len < left ? len : left;
}

/* Send n pattern bytes from stream offset off, chunk sizes cycling
 * through sizes (NULL: as much as fits txbuf); polls on EAGAIN. */
static int send_pat(struct ctx *c, int fd, uint32_t seed, uint64_t off, size_t n,
		    const size_t *sizes)
{
	size_t done = 0, k = 0;

	while (done < n) {
		size_t len = next_len(sizes, &k, n - done);
		ssize_t r;

		out_fill(c, txbuf, len, seed, off + done);
		r = send(fd, txbuf, len, MSG_NOSIGNAL);
		if (r > 0) {
			done += (size_t)r;
		} else if (r < 0 && is_again(errno)) {
			if (wait_ready(c, fd, POLLOUT, "POLLOUT"))
				return why_at(c, "send");
		} else {
			return whyf(c, "send at byte %llu %s", (unsigned long long)(off + done),
				    rstr(r, errno));
		}
	}
	return 0;
}

/* Receive exactly n pattern bytes (recv sizes cycling through sizes). */
static int recv_pat(struct ctx *c, int fd, uint32_t seed, uint64_t off, size_t n,
		    const size_t *sizes)
{
	size_t done = 0, k = 0;

	while (done < n) {
		size_t len = next_len(sizes, &k, n - done);
		ssize_t r;

		r = recv(fd, rxbuf, len, 0);
		if (r > 0) {
			if (pat_verify(c, rxbuf, (size_t)r, seed, off + done))
				return -1;
			done += (size_t)r;
		} else if (r == 0) {
			return whyf(c, "EOF after %zu of %zu bytes", done, n);
		} else if (is_again(errno)) {
			if (wait_ready(c, fd, POLLIN, "POLLIN"))
				return why_at(c, "recv");
		} else {
			return whyf(c, "recv after %zu of %zu bytes %s", done, n, rstr(r, errno));
		}
	}
	return 0;
}

/* Receive pattern bytes until EOF; *got is how many. */
static int recv_pat_eof(struct ctx *c, int fd, uint32_t seed, uint64_t *got)
{
	for (*got = 0;;) {
		ssize_t r = recv(fd, rxbuf, BUF, 0);

		if (r > 0) {
			if (pat_verify(c, rxbuf, (size_t)r, seed, *got))
				return -1;
			*got += (uint64_t)r;
		} else if (r == 0) {
			return 0;
		} else if (is_again(errno)) {
			if (wait_ready(c, fd, POLLIN, "POLLIN"))
				return why_at(c, "recv");
		} else {
			return whyf(c, "recv after %llu bytes %s", (unsigned long long)*got,
				    rstr(r, errno));
		}
	}
}

/* ---- control and data connections ------------------------------------- */

static int ctl_send(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ctl_send(struct ctx *c, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n] = '\n';
	return send_bytes(c, c->ctl, line, (size_t)n + 1) ? why_at(c, "control") : 0;
}

/* Next step word from the peer; the server notes an early "fin" (the
 * client gave up), so later waits fail at once instead of timing out. */
static int ctl_line(struct ctx *c, char *line, size_t n, double secs)
{
	if (c->client_fin)
		return whyf(c, "client already finished");
	if (read_line(c, c->ctl, line, n, secs))
		return why_at(c, "control");
	if (c->server && !strcmp(line, "fin")) {
		c->client_fin = 1;
		return whyf(c, "client finished early");
	}
	return 0;
}

static int ctl_expect(struct ctx *c, const char *word, double secs)
{
	char line[128];

	if (ctl_line(c, line, sizeof(line), secs)) {
		snprintf(line, sizeof(line), "waiting for '%s'", word);
		return why_at(c, line);
	}
	if (strcmp(line, word))
		return whyf(c, "got '%.60s' instead of '%s'", line, word);
	return 0;
}

static int ctl_total(struct ctx *c, uint64_t *total, double secs)
{
	char line[128];
	unsigned long long v;

	if (ctl_line(c, line, sizeof(line), secs))
		return -1;
	if (sscanf(line, "total %llu", &v) != 1)
		return whyf(c, "got '%.60s' instead of a total", line);
	*total = v;
	return 0;
}

/* Client: data connection idx of this case, announced by a header line. */
static int data_connect(struct ctx *c, int idx)
{
	char hdr[64];
	int fd = tcp_connect(c->host, c->port), n;

	if (fd < 0)
		return whyf(c, "connect: %s", strerror(errno));
	c->data[idx] = fd;
	n = snprintf(hdr, sizeof(hdr), "data %s %d\n", c->tc->name, idx);
	return send_bytes(c, fd, hdr, (size_t)n) ? -1 : fd;
}

/* Server: accept a data connection of this case, idx want (-1: any unused). */
static int accept_data(struct ctx *c, int want)
{
	char line[64], name[32];
	int fd, idx, w;

	w = wait_fd(c, c->lfd, POLLIN, T_WAIT, NULL);
	if (w <= 0)
		return w ? -1 : whyf(c, "no data connection within the timeout");
	fd = accept(c->lfd, NULL, NULL);
	if (fd < 0)
		return whyf(c, "accept: %s", strerror(errno));
	if (read_line(c, fd, line, sizeof(line), T_WAIT)) {
		close(fd);
		return why_at(c, "data header");
	}
	if (sscanf(line, "data %31s %d", name, &idx) != 2 || strcmp(name, c->tc->name) ||
	    idx < 0 || idx >= MAXCONN || c->data[idx] >= 0 || (want >= 0 && idx != want)) {
		close(fd);
		return whyf(c, "unexpected data header '%.40s'", line);
	}
	c->data[idx] = fd;
	return fd;
}

static int close_data(struct ctx *c, int idx)
{
	int r = close(c->data[idx]);

	c->data[idx] = -1;
	return r;
}

static void close_all_data(struct ctx *c)
{
	int i;

	for (i = 0; i < MAXCONN; i++)
		if (c->data[i] >= 0)
			close_data(c, i);
}

/* Open this case's data connection (client) or take it (server). */
static int data_fd(struct ctx *c)
{
	return c->server ? accept_data(c, 0) : data_connect(c, 0);
}

/* ---- 1. blocking ------------------------------------------------------ */

static const size_t odd_tx[] = { 1, 3, 4093, 17, 65537, 7, 1021, 131071, 9973, 0 };
static const size_t odd_rx[] = { 1, 2, 8191, 511, 100003, 3, 65521, 0 };

static void cli_blocking(struct ctx *c)
{
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	report(c, "send_1MiB_odd_chunks", send_pat(c, fd, tx_seed(c), 0, MIB, odd_tx) == 0);
	report(c, "recv_1MiB_intact", recv_pat(c, fd, rx_seed(c), 0, MIB, odd_rx) == 0);
}

static void srv_blocking(struct ctx *c)
{
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	report(c, "recv_1MiB_intact", recv_pat(c, fd, rx_seed(c), 0, MIB, odd_rx) == 0);
	report(c, "send_1MiB_odd_chunks", send_pat(c, fd, tx_seed(c), 0, MIB, odd_tx) == 0);
}

/* ---- 2. non-blocking -------------------------------------------------- */

static void recv_empty_eagain(struct ctx *c, int fd, const char *what, int flags)
{
	ssize_t r = recv(fd, rxbuf, 1, flags);

	report(c, what, expect(c, r < 0 && is_again(errno), "recv %s", rstr(r, errno)));
}

/* Send until EAGAIN and then no POLLOUT for a while: the peer's window is
 * closed, not just our send buffer momentarily full. */
static int fill_nonblock(struct ctx *c, int fd, uint64_t *sent)
{
	for (*sent = 0; *sent < FILL_CAP;) {
		ssize_t r;
		int w;

		out_fill(c, txbuf, BUF, tx_seed(c), *sent);
		r = send(fd, txbuf, BUF, MSG_NOSIGNAL);
		if (r > 0) {
			*sent += (uint64_t)r;
			continue;
		}
		if (r == 0 || !is_again(errno))
			return whyf(c, "send %s", rstr(r, errno));
		w = wait_fd(c, fd, POLLOUT, T_QUIET, NULL);
		if (w <= 0)
			return w;
	}
	return whyf(c, "no EAGAIN after %llu bytes", FILL_CAP);
}

static void cli_nonblock(struct ctx *c)
{
	uint64_t sent;
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "set_nonblock", set_nonblock(c, fd));
	recv_empty_eagain(c, fd, "recv_empty_eagain", 0);
	STEP(c, "server_ready", ctl_expect(c, "ready", T_WAIT));
	STEP(c, "send_until_eagain", fill_nonblock(c, fd, &sent));
	report(c, "send_until_eagain", 1);
	STEP(c, "control", ctl_send(c, "full"));
	report(c, "pollout_after_peer_drains", wait_ready(c, fd, POLLOUT, "POLLOUT") == 0);
	report(c, "send_resumes", send_pat(c, fd, tx_seed(c), sent, MIB, NULL) == 0);
	shutdown(fd, SHUT_WR);
	STEP(c, "control", ctl_send(c, "total %llu", (unsigned long long)(sent + MIB)));
}

static void srv_nonblock(struct ctx *c)
{
	uint64_t got, total;
	int fd, rc;

	STEP(c, "accept", fd = accept_data(c, 0));
	STEP(c, "set_nonblock", set_nonblock(c, fd));
	recv_empty_eagain(c, fd, "recv_empty_eagain", 0);
	STEP(c, "control", ctl_send(c, "ready"));
	STEP(c, "client_full", ctl_expect(c, "full", T_CASE));
	rc = recv_pat_eof(c, fd, rx_seed(c), &got);
	if (!rc)
		rc = ctl_total(c, &total, T_WAIT);
	report(c, "all_bytes_intact",
	       !rc && expect(c, got == total, "got %llu bytes, client sent %llu",
			     (unsigned long long)got, (unsigned long long)total));
}

/* ---- 3. epoll --------------------------------------------------------- */

#define EP_CHUNK 200

/* Events epoll_wait returns within secs (each must include EPOLLIN). */
static int ep_count(struct ctx *c, int ep, double secs)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, ms(secs)), i;

	if (n < 0)
		return whyf(c, "epoll_wait: %s", errno == EINTR ? "case timed out" : strerror(errno));
	for (i = 0; i < n; i++)
		if (!(ev[i].events & EPOLLIN))
			return whyf(c, "event 0x%x without EPOLLIN", (unsigned)ev[i].events);
	return n;
}

static int ep_new(struct ctx *c, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return whyf(c, "epoll_create1: %s", strerror(errno));
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(ep);
		return whyf(c, "epoll_ctl: %s", strerror(errno));
	}
	return ep;
}

/* The server sends chunk k (EP_CHUNK bytes at offset k * EP_CHUNK) on request. */
static int ep_request(struct ctx *c, int k)
{
	return ctl_send(c, "send %d", k);
}

static int ep_take(struct ctx *c, int fd, int k, size_t from, size_t n)
{
	return recv_pat(c, fd, rx_seed(c), (uint64_t)k * EP_CHUNK + from, n, NULL);
}

static void epoll_level(struct ctx *c, int fd, int ep)
{
	int a, b, d;

	STEP(c, "control", ep_request(c, 0));
	a = ep_count(c, ep, T_WAIT);
	b = a == 1 ? ep_count(c, ep, 0) : -1;
	d = b == 1 ? ep_count(c, ep, 0) : -1;
	report(c, "lt_repeats_while_unread",
	       expect(c, a == 1 && b == 1 && d == 1, "epoll_wait gave %d, %d, %d events", a, b, d));
	a = ep_take(c, fd, 0, 0, EP_CHUNK / 2) ? -1 : ep_count(c, ep, 0);
	report(c, "lt_reported_after_partial_read",
	       a >= 0 && expect(c, a == 1, "epoll_wait gave %d events", a));
	a = ep_take(c, fd, 0, EP_CHUNK / 2, EP_CHUNK / 2) ? -1 : ep_count(c, ep, T_QUIET);
	report(c, "lt_quiet_after_drain", a >= 0 && expect(c, a == 0, "epoll_wait gave %d events", a));
}

/* One event per arrival; unread data alone does not repeat it. A single
 * small send arrives as one segment, so one wakeup. */
static void epoll_edge(struct ctx *c, int fd, int ep)
{
	ssize_t r;
	int a;

	a = ep_count(c, ep, T_QUIET);
	report(c, "et_quiet_when_empty", a >= 0 && expect(c, a == 0, "epoll_wait gave %d events", a));
	STEP(c, "control", ep_request(c, 1));
	a = ep_count(c, ep, T_WAIT);
	report(c, "et_event_on_arrival", a >= 0 && expect(c, a == 1, "epoll_wait gave %d events", a));
	/* Traffic on another connection to the same peer meanwhile (the
	 * server answers on the control connection): no event for this one.
	 * (The module once woke every socket of a pair on each event.) */
	STEP(c, "control", ctl_send(c, "ping"));
	a = ep_count(c, ep, T_QUIET);
	report(c, "et_no_repeat_while_unread",
	       a >= 0 && expect(c, a == 0, "epoll_wait gave %d events", a));
	STEP(c, "control", ctl_expect(c, "pong", T_WAIT));
	a = ep_take(c, fd, 1, 0, EP_CHUNK);
	if (!a) {
		r = recv(fd, rxbuf, 1, 0);
		a = expect(c, r < 0 && is_again(errno), "recv after drain %s", rstr(r, errno)) ?
			ep_count(c, ep, T_QUIET) : -1;
	}
	report(c, "et_quiet_after_drain", a >= 0 && expect(c, a == 0, "epoll_wait gave %d events", a));
	STEP(c, "control", ep_request(c, 2));
	a = ep_count(c, ep, T_WAIT);
	report(c, "et_event_on_new_data",
	       a >= 0 && expect(c, a == 1, "epoll_wait gave %d events", a) &&
		       ep_take(c, fd, 2, 0, EP_CHUNK) == 0);
}

static void cli_epoll(struct ctx *c)
{
	int fd, ep;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "set_nonblock", set_nonblock(c, fd));
	STEP(c, "epoll_lt", ep = ep_new(c, fd, EPOLLIN));
	epoll_level(c, fd, ep);
	close(ep);
	STEP(c, "epoll_et", ep = ep_new(c, fd, EPOLLIN | EPOLLET));
	epoll_edge(c, fd, ep);
	close(ep);
	ctl_send(c, "stop");
}

static void srv_epoll(struct ctx *c)
{
	char line[128];
	int fd, k;

	STEP(c, "accept", fd = accept_data(c, 0));
	for (;;) {
		STEP(c, "sent_on_request", ctl_line(c, line, sizeof(line), T_WAIT));
		if (!strcmp(line, "stop"))
			break;
		if (!strcmp(line, "ping")) {
			STEP(c, "sent_on_request", ctl_send(c, "pong"));
			continue;
		}
		if (sscanf(line, "send %d", &k) != 1 || k < 0 || k > 2) {
			whyf(c, "unexpected request '%.60s'", line);
			report(c, "sent_on_request", 0);
			return;
		}
		STEP(c, "sent_on_request",
		     send_pat(c, fd, tx_seed(c), (uint64_t)k * EP_CHUNK, EP_CHUNK, NULL));
	}
	report(c, "sent_on_request", 1);
}

/* ---- 4. MSG_PEEK (both ends) ------------------------------------------ */

#define PEEK_N 1000

static void peek(struct ctx *c)
{
	double end = now_s() + T_WAIT;
	ssize_t r;
	int fd;

	STEP(c, "data_connection", fd = data_fd(c));
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, PEEK_N, NULL));
	/* A peek returns what is queued; peek again until all of it is. */
	do {
		r = recv(fd, rxbuf, PEEK_N, MSG_PEEK | MSG_DONTWAIT);
		if (r >= PEEK_N || (r < 0 && !is_again(errno)) || r == 0 || timed_out)
			break;
		nap(0.002);
	} while (now_s() < end);
	report(c, "peek_returns_data",
	       expect(c, r == PEEK_N, "peek %s", rstr(r, errno)) &&
		       pat_verify(c, rxbuf, PEEK_N, rx_seed(c), 0) == 0);
	r = recv(fd, rxbuf, 10, MSG_PEEK);
	report(c, "peek_again_same_bytes",
	       expect(c, r == 10, "peek %s", rstr(r, errno)) &&
		       pat_verify(c, rxbuf, 10, rx_seed(c), 0) == 0);
	report(c, "recv_after_peek_same_bytes", recv_pat(c, fd, rx_seed(c), 0, PEEK_N, NULL) == 0);
	recv_empty_eagain(c, fd, "nothing_left_after_recv", MSG_DONTWAIT);
}

/* ---- 5. MSG_WAITALL --------------------------------------------------- */

#define WA_PIECE 3000
#define WA_PIECES 4
#define WA_TAIL 100

static void cli_waitall(struct ctx *c)
{
	ssize_t r;
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	r = recv(fd, rxbuf, WA_PIECE * WA_PIECES, MSG_WAITALL);
	report(c, "waitall_full_length",
	       expect(c, r == WA_PIECE * WA_PIECES, "recv %s", rstr(r, errno)) &&
		       pat_verify(c, rxbuf, (size_t)r, rx_seed(c), 0) == 0);
	r = recv(fd, rxbuf, 2 * WA_TAIL, MSG_WAITALL);
	if (expect(c, r == WA_TAIL, "recv %s", rstr(r, errno)) &&
	    !pat_verify(c, rxbuf, WA_TAIL, rx_seed(c), WA_PIECE * WA_PIECES)) {
		r = recv(fd, rxbuf, 1, 0);
		r = expect(c, r == 0, "recv after EOF %s", rstr(r, errno));
	} else {
		r = 0;
	}
	report(c, "waitall_short_at_eof", r == 1);
}

static void srv_waitall(struct ctx *c)
{
	int fd, i, rc = 0;

	STEP(c, "accept", fd = accept_data(c, 0));
	set_nodelay(fd);
	/* Pauses first, so the client is already waiting when each piece lands. */
	for (i = 0; i < WA_PIECES && !rc; i++) {
		nap(0.05 * scale);
		rc = send_pat(c, fd, tx_seed(c), (uint64_t)i * WA_PIECE, WA_PIECE, NULL);
	}
	if (!rc)
		rc = send_pat(c, fd, tx_seed(c), WA_PIECE * WA_PIECES, WA_TAIL, NULL);
	if (!rc && shutdown(fd, SHUT_WR))
		rc = whyf(c, "shutdown: %s", strerror(errno));
	report(c, "sent_in_delayed_pieces", rc == 0);
}

/* ---- 6. MSG_DONTWAIT -------------------------------------------------- */

static void cli_dontwait(struct ctx *c)
{
	int fd, fl;

	STEP(c, "connect", fd = data_connect(c, 0));
	recv_empty_eagain(c, fd, "recv_dontwait_eagain", MSG_DONTWAIT);
	fl = fcntl(fd, F_GETFL);
	report(c, "socket_still_blocking", expect(c, fl >= 0 && !(fl & O_NONBLOCK), "O_NONBLOCK set"));
	STEP(c, "control", ctl_send(c, "send"));
	report(c, "blocking_recv_gets_data", recv_pat(c, fd, rx_seed(c), 0, 16, NULL) == 0);
	recv_empty_eagain(c, fd, "recv_dontwait_eagain_after_drain", MSG_DONTWAIT);
}

static void srv_dontwait(struct ctx *c)
{
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	recv_empty_eagain(c, fd, "recv_dontwait_eagain", MSG_DONTWAIT);
	STEP(c, "control", ctl_expect(c, "send", T_WAIT));
	report(c, "sent", send_pat(c, fd, tx_seed(c), 0, 16, NULL) == 0);
}

/* ---- 7. sendfile / splice --------------------------------------------- */

#define SPL_FILE (MIB + 4093)           /* sendfile() from a memfd */
#define SPL_PIPE ((64u << 10) + 1)      /* then vmsplice() + splice() through a pipe */
#define SPL_TOTAL (SPL_FILE + SPL_PIPE)
#define SPL_CHUNK (64u << 10)           /* server: at most this per splice() */

/* vmsplice() lends these pages to the pipe and the socket may hold on to
 * them until the bytes are acknowledged: nothing else writes this buffer. */
static uint8_t splbuf[SPL_PIPE];

/* A memfd (or else an unlinked file in /tmp) with the first SPL_FILE bytes. */
static int spl_file(struct ctx *c)
{
	char path[] = "/tmp/tcp_semantics.XXXXXX";
	int fd = memfd_create("tcp_semantics", MFD_CLOEXEC);
	uint64_t off;

	if (fd < 0) {
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0)
			return whyf(c, "memfd_create, then mkostemp: %s", strerror(errno));
		unlink(path);
	}
	for (off = 0; off < SPL_FILE; off += BUF) {
		size_t len = SPL_FILE - off < BUF ? SPL_FILE - off : BUF;

		out_fill(c, txbuf, len, tx_seed(c), off);
		if (write_full(fd, txbuf, len)) {
			whyf(c, "write to the file: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* sendfile() the file to the blocking socket until it is all sent (or
 * sendfile() returns 0: the file is shorter); *sent is how much went. */
static int spl_sendfile(struct ctx *c, int fd, uint64_t *sent)
{
	off_t off = 0;
	int mfd = spl_file(c), rc = 0;

	if (mfd < 0)
		return -1;
	while ((uint64_t)off < SPL_FILE) {
		ssize_t r = sendfile(fd, mfd, &off, SPL_FILE - (size_t)off);

		if (r == 0)
			break;
		if (r < 0) {
			rc = whyf(c, "sendfile at byte %lld %s", (long long)off, rstr(r, errno));
			break;
		}
	}
	*sent = (uint64_t)off;
	close(mfd);
	return rc;
}

/* The next SPL_PIPE bytes: vmsplice() into a pipe, splice() on to the socket. */
static int spl_pipe_out(struct ctx *c, int fd)
{
	size_t in = 0, out = 0;
	int p[2], rc = 0;

	if (pipe2(p, O_CLOEXEC))
		return whyf(c, "pipe2: %s", strerror(errno));
	out_fill(c, splbuf, SPL_PIPE, tx_seed(c), SPL_FILE);
	while (!rc && out < SPL_PIPE) {
		struct iovec iov = { splbuf + in, SPL_PIPE - in };
		/* The pipe is empty here: this takes what fits, without blocking. */
		ssize_t r = vmsplice(p[1], &iov, 1, 0);

		if (r <= 0) {
			rc = whyf(c, "vmsplice at byte %zu %s", SPL_FILE + in, rstr(r, errno));
			break;
		}
		in += (size_t)r;
		while (!rc && out < in) {
			r = splice(p[0], NULL, fd, NULL, in - out, 0);
			if (r > 0)
				out += (size_t)r;
			else
				rc = whyf(c, "splice at byte %zu %s", SPL_FILE + out, rstr(r, errno));
		}
	}
	close(p[0]);
	close(p[1]);
	return rc;
}

/* splice() n bytes from the socket into the pipe p, at most SPL_CHUNK at a
 * time, and check what comes out of the pipe. After a wrong byte it keeps
 * reading, so *got still says whether all n arrived. */
static int spl_pipe_in(struct ctx *c, int fd, const int p[2], uint64_t n, uint64_t *got)
{
	int bad = 0;

	for (*got = 0; *got < n;) {
		size_t len = n - *got < SPL_CHUNK ? (size_t)(n - *got) : SPL_CHUNK;
		ssize_t r = splice(fd, NULL, p[1], NULL, len, 0);

		if (r == 0)
			return bad ? -1 : whyf(c, "EOF after %llu of %llu bytes",
					       (unsigned long long)*got, (unsigned long long)n);
		if (r < 0)
			return bad ? -1 : whyf(c, "splice after %llu of %llu bytes %s",
					       (unsigned long long)*got, (unsigned long long)n,
					       rstr(r, errno));
		/* All r bytes are in the pipe already. */
		if (read_full(p[0], rxbuf, (size_t)r) != r)
			return bad ? -1 : whyf(c, "read from the pipe: %s", strerror(errno));
		if (!bad && pat_verify(c, rxbuf, (size_t)r, rx_seed(c), *got))
			bad = 1;
		*got += (uint64_t)r;
	}
	return bad ? -1 : 0;
}

static void cli_splice(struct ctx *c)
{
	uint64_t sent = 0;
	int fd, rc;

	STEP(c, "connect", fd = data_connect(c, 0));
	rc = spl_sendfile(c, fd, &sent);
	if (!report(c, "sendfile_all_bytes",
		    !rc && expect(c, sent == SPL_FILE, "sent %llu of %u bytes",
				  (unsigned long long)sent, SPL_FILE)))
		return;
	report(c, "splice_to_socket_all_bytes", spl_pipe_out(c, fd) == 0);
	STEP(c, "shutdown", shutdown(fd, SHUT_WR) ? whyf(c, "%s", strerror(errno)) : 0);
}

static void srv_splice(struct ctx *c)
{
	uint64_t got;
	ssize_t r;
	int fd, p[2];

	STEP(c, "accept", fd = accept_data(c, 0));
	STEP(c, "pipe", pipe2(p, O_CLOEXEC) ? whyf(c, "pipe2: %s", strerror(errno)) : 0);
	report(c, "splice_from_socket_intact", spl_pipe_in(c, fd, p, SPL_TOTAL, &got) == 0);
	if (got == SPL_TOTAL) {
		r = splice(fd, NULL, p[1], NULL, SPL_CHUNK, 0);
		report(c, "eof_after_last_byte",
		       expect(c, r == 0, "splice after the last byte %s", rstr(r, errno)));
	} else {
		whyf(c, "got %llu of %u bytes", (unsigned long long)got, SPL_TOTAL);
		report(c, "eof_after_last_byte", 0);
	}
	close(p[0]);
	close(p[1]);
}

/* ---- 8. SO_RCVLOWAT --------------------------------------------------- */

#define LOWAT 1000
#define LOWAT_FIRST 400

static void cli_rcvlowat(struct ctx *c)
{
	int fd, w;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "set_rcvlowat", set_int(c, fd, SO_RCVLOWAT, "SO_RCVLOWAT", LOWAT));
	STEP(c, "control", ctl_send(c, "first"));
	/* The first piece must really be queued before "no POLLIN" means anything. */
	STEP(c, "first_piece_arrives", wait_q(c, fd, SIOCINQ, LOWAT_FIRST, T_WAIT));
	w = wait_fd(c, fd, POLLIN, T_QUIET, NULL);
	report(c, "no_pollin_below_lowat", w >= 0 && expect(c, w == 0, "poll reported POLLIN"));
	STEP(c, "control", ctl_send(c, "second"));
	report(c, "pollin_at_lowat", wait_ready(c, fd, POLLIN, "POLLIN") == 0);
	report(c, "data_intact", recv_pat(c, fd, rx_seed(c), 0, LOWAT, NULL) == 0);
}

static void srv_rcvlowat(struct ctx *c)
{
	int fd, rc;

	STEP(c, "accept", fd = accept_data(c, 0));
	set_nodelay(fd);
	rc = ctl_expect(c, "first", T_WAIT);
	if (!rc)
		rc = send_pat(c, fd, tx_seed(c), 0, LOWAT_FIRST, NULL);
	if (!rc)
		rc = ctl_expect(c, "second", T_WAIT);
	if (!rc)
		rc = send_pat(c, fd, tx_seed(c), LOWAT_FIRST, LOWAT - LOWAT_FIRST, NULL);
	report(c, "sent_in_two_pieces", rc == 0);
}

/* ---- 9. SO_RCVTIMEO / SO_SNDTIMEO ------------------------------------- */

#define T_TIMEO (0.3 * scale)

/* Blocking sends into a connection the peer does not read, until one
 * times out: -1/EAGAIN, or a short count if it had copied some bytes. */
static int fill_sndtimeo(struct ctx *c, int fd, uint64_t *sent)
{
	for (*sent = 0; *sent < FILL_CAP;) {
		double t0 = now_s();
		ssize_t r;

		out_fill(c, txbuf, BUF, tx_seed(c), *sent);
		r = send(fd, txbuf, BUF, MSG_NOSIGNAL);
		if (r == BUF) {
			*sent += BUF;
			continue;
		}
		if (r < 0 && !is_again(errno))
			return whyf(c, "send %s", rstr(r, errno));
		if (r > 0)
			*sent += (uint64_t)r;
		t0 = now_s() - t0;
		return expect(c, t0 >= T_TIMEO / 2, "send returned well before the timeout") &&
		       expect(c, t0 < T_TIMEO + T_WAIT, "send returned long after the timeout") ? 0 : -1;
	}
	return whyf(c, "no timeout after %llu bytes", FILL_CAP);
}

static void cli_timeo(struct ctx *c)
{
	uint64_t sent;
	double el;
	ssize_t r;
	int fd, e;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "set_rcvtimeo", set_timeo(c, fd, SO_RCVTIMEO, "SO_RCVTIMEO", T_TIMEO));
	el = now_s();
	r = recv(fd, rxbuf, 16, 0);
	e = errno;
	el = now_s() - el;
	report(c, "rcvtimeo_recv_eagain",
	       expect(c, r < 0 && is_again(e), "recv %s", rstr(r, e)) &&
		       expect(c, el >= T_TIMEO / 2, "recv returned well before the timeout") &&
		       expect(c, el < T_TIMEO + T_WAIT, "recv returned long after the timeout"));
	STEP(c, "set_sndtimeo", set_timeo(c, fd, SO_SNDTIMEO, "SO_SNDTIMEO", T_TIMEO));
	STEP(c, "sndtimeo_send_eagain_or_short", fill_sndtimeo(c, fd, &sent));
	report(c, "sndtimeo_send_eagain_or_short", 1);
	shutdown(fd, SHUT_WR);
	STEP(c, "control", ctl_send(c, "total %llu", (unsigned long long)sent));
}

static void srv_timeo(struct ctx *c)
{
	uint64_t got, total;
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	/* Read nothing until the client's send has timed out. */
	STEP(c, "client_total", ctl_total(c, &total, T_CASE));
	report(c, "all_bytes_intact",
	       recv_pat_eof(c, fd, rx_seed(c), &got) == 0 &&
		       expect(c, got == total, "got %llu bytes, client sent %llu",
			      (unsigned long long)got, (unsigned long long)total));
}

/* ---- 10. SIOCINQ / SIOCOUTQ ------------------------------------------- */

#define INQ_S2C 5000
#define INQ_C2S 7000

static int inq_is(struct ctx *c, int fd, int want)
{
	int v;

	if (ioctl(fd, SIOCINQ, &v))
		return whyf(c, "SIOCINQ: %s", strerror(errno));
	return v == want ? 0 : whyf(c, "SIOCINQ is %d, want %d", v, want);
}

static void cli_inq(struct ctx *c)
{
	int fd, rc;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "control", ctl_send(c, "send"));
	rc = wait_ready(c, fd, POLLIN, "POLLIN");
	report(c, "siocinq_counts_unread", !rc && !wait_q(c, fd, SIOCINQ, INQ_S2C, T_WAIT));
	rc = recv_pat(c, fd, rx_seed(c), 0, 1000, NULL);
	report(c, "siocinq_after_partial_read", !rc && !inq_is(c, fd, INQ_S2C - 1000));
	rc = recv_pat(c, fd, rx_seed(c), 1000, INQ_S2C - 1000, NULL);
	report(c, "siocinq_zero_after_drain", !rc && !inq_is(c, fd, 0));
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, INQ_C2S, NULL));
	STEP(c, "server_read", ctl_expect(c, "read", T_WAIT));
	report(c, "siocoutq_zero_after_peer_read", wait_q(c, fd, SIOCOUTQ, 0, T_WAIT) == 0);
}

static void srv_inq(struct ctx *c)
{
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	STEP(c, "control", ctl_expect(c, "send", T_WAIT));
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, INQ_S2C, NULL));
	report(c, "siocinq_counts_unread", wait_q(c, fd, SIOCINQ, INQ_C2S, T_WAIT) == 0);
	report(c, "recv_intact", recv_pat(c, fd, rx_seed(c), 0, INQ_C2S, NULL) == 0);
	STEP(c, "control", ctl_send(c, "read"));
}

/* ---- 11. shutdown(SHUT_WR) -------------------------------------------- */

#define SHUT_C2S (100u << 10)
#define SHUT_S2C (50u << 10)

static void cli_shutdown(struct ctx *c)
{
	uint64_t got;
	ssize_t r;
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, SHUT_C2S, odd_tx));
	STEP(c, "shutdown", shutdown(fd, SHUT_WR) ? whyf(c, "%s", strerror(errno)) : 0);
	r = send(fd, "x", 1, MSG_NOSIGNAL);
	report(c, "send_after_shut_wr_epipe",
	       expect(c, r < 0 && errno == EPIPE, "send %s", rstr(r, errno)));
	report(c, "reply_after_shut_wr_then_eof",
	       recv_pat_eof(c, fd, rx_seed(c), &got) == 0 &&
		       expect(c, got == SHUT_S2C, "got %llu bytes, want %u",
			      (unsigned long long)got, SHUT_S2C));
}

static void srv_shutdown(struct ctx *c)
{
	uint64_t got;
	short rev = 0;
	ssize_t r;
	int fd, w;

	STEP(c, "accept", fd = accept_data(c, 0));
	report(c, "all_data_then_eof",
	       recv_pat_eof(c, fd, rx_seed(c), &got) == 0 &&
		       expect(c, got == SHUT_C2S, "got %llu bytes, want %u",
			      (unsigned long long)got, SHUT_C2S));
	r = recv(fd, rxbuf, 1, 0);
	report(c, "eof_repeats", expect(c, r == 0, "recv %s", rstr(r, errno)));
	w = wait_fd(c, fd, POLLRDHUP, 0, &rev);
	report(c, "pollrdhup_after_peer_shut_wr",
	       w >= 0 && expect(c, rev & POLLRDHUP, "poll reported 0x%x", (unsigned)rev));
	report(c, "reply_to_half_closed_peer",
	       send_pat(c, fd, tx_seed(c), 0, SHUT_S2C, odd_tx) == 0);
	close_data(c, 0);
}

/* ---- 12. close with unread data / 13. SO_LINGER {1, 0} ---------------- */

#define RST_N 1000

/* After the peer's RST: recv fails with ECONNRESET, then send fails too. */
static void after_reset(struct ctx *c, int fd)
{
	ssize_t r;
	int w, e;

	/* The RST may still be on the way (it was sent before the step word). */
	w = wait_fd(c, fd, POLLIN, T_WAIT, NULL);
	r = w > 0 ? recv(fd, rxbuf, 16, MSG_DONTWAIT) : -1;
	e = errno;
	report(c, "recv_econnreset",
	       w >= 0 && expect(c, w > 0, "no poll event within the timeout") &&
		       expect(c, r < 0 && e == ECONNRESET, "recv %s", rstr(r, e)));
	r = send(fd, "x", 1, MSG_NOSIGNAL);
	report(c, "send_after_reset_fails",
	       expect(c, r < 0 && (errno == EPIPE || errno == ECONNRESET), "send %s", rstr(r, errno)));
}

static void cli_close_unread(struct ctx *c)
{
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, RST_N, NULL));
	STEP(c, "server_closed", ctl_expect(c, "closed", T_WAIT));
	after_reset(c, fd);
}

static void srv_close_unread(struct ctx *c)
{
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	/* Make sure the bytes are queued, unread, when we close. */
	STEP(c, "unread_data_queued", wait_q(c, fd, SIOCINQ, RST_N, T_WAIT));
	report(c, "close_with_unread_data",
	       expect(c, close_data(c, 0) == 0, "close: %s", strerror(errno)));
	STEP(c, "control", ctl_send(c, "closed"));
}

static void cli_linger0(struct ctx *c)
{
	struct linger lg = { 1, 0 };
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, RST_N, NULL));
	STEP(c, "server_read", ctl_expect(c, "read", T_WAIT));
	STEP(c, "set_linger", setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ?
				      whyf(c, "SO_LINGER: %s", strerror(errno)) : 0);
	report(c, "close_linger0", expect(c, close_data(c, 0) == 0, "close: %s", strerror(errno)));
	STEP(c, "control", ctl_send(c, "closed"));
}

static void srv_linger0(struct ctx *c)
{
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	/* Everything read: the RST comes from the linger setting alone. */
	STEP(c, "recv", recv_pat(c, fd, rx_seed(c), 0, RST_N, NULL));
	STEP(c, "control", ctl_send(c, "read"));
	STEP(c, "client_closed", ctl_expect(c, "closed", T_WAIT));
	after_reset(c, fd);
}

/* ---- 14. many concurrent connections (both ends) ---------------------- */

#define MANY_BYTES (64u << 10)
#define MANY_CHUNK (16u << 10)

/* All connections both ways at once, non-blocking; each direction ends
 * with shutdown(SHUT_WR), so both ends also see exact lengths and EOF. */
static int many_io(struct ctx *c)
{
	uint64_t tx[MAXCONN] = { 0 }, rx[MAXCONN] = { 0 };
	int eof[MAXCONN] = { 0 }, i;
	struct pollfd p[MAXCONN];
	char at[32];

	for (;;) {
		int live = 0, r;

		for (i = 0; i < MAXCONN; i++) {
			p[i].fd = c->data[i];
			p[i].events = (short)((tx[i] < MANY_BYTES ? POLLOUT : 0) | (eof[i] ? 0 : POLLIN));
			p[i].revents = 0;
			if (p[i].events)
				live++;
			else
				p[i].fd = -1;
		}
		if (!live)
			return 0;
		r = poll(p, MAXCONN, ms(T_WAIT));
		if (r <= 0)
			return whyf(c, "%s", r == 0 ? "no progress within the timeout" :
					     errno == EINTR ? "case timed out" : strerror(errno));
		for (i = 0; i < MAXCONN; i++) {
			int fd = p[i].fd;
			ssize_t s;

			if (!p[i].revents)
				continue;
			snprintf(at, sizeof(at), "connection %d", i);
			if (p[i].revents & POLLOUT) {
				size_t len = MANY_BYTES - tx[i] < MANY_CHUNK ? MANY_BYTES - tx[i] : MANY_CHUNK;

				out_fill(c, txbuf, len, seed(c, c->server, i), tx[i]);
				s = send(fd, txbuf, len, MSG_NOSIGNAL);
				if (s < 0 && !is_again(errno))
					return whyf(c, "%s: send %s", at, rstr(s, errno));
				if (s > 0 && (tx[i] += (uint64_t)s) == MANY_BYTES && shutdown(fd, SHUT_WR))
					return whyf(c, "%s: shutdown: %s", at, strerror(errno));
			}
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)) || eof[i])
				continue;
			s = recv(fd, rxbuf, MANY_CHUNK, 0);
			if (s < 0 && is_again(errno))
				continue;
			if (s < 0)
				return whyf(c, "%s: recv %s", at, rstr(s, errno));
			if (s == 0) {
				if (rx[i] != MANY_BYTES)
					return whyf(c, "%s: EOF after %llu bytes", at,
						    (unsigned long long)rx[i]);
				eof[i] = 1;
				continue;
			}
			if (rx[i] + (uint64_t)s > MANY_BYTES)
				return whyf(c, "%s: more than %u bytes", at, MANY_BYTES);
			if (pat_verify(c, rxbuf, (size_t)s, seed(c, !c->server, i), rx[i]))
				return why_at(c, at);
			rx[i] += (uint64_t)s;
		}
	}
}

static void many(struct ctx *c)
{
	int i, fd;

	/* All 64 are open before any data moves. */
	for (i = 0; i < MAXCONN; i++) {
		if (c->server)
			STEP(c, "accept", fd = accept_data(c, -1));
		else
			STEP(c, "connect", fd = data_connect(c, i));
		STEP(c, "set_nonblock", set_nonblock(c, fd));
	}
	report(c, "64_connections_intact", many_io(c) == 0);
}

/* End a forked writer: exit 1 with its failure on stderr, else 0. */
static void writer_exit(struct ctx *c, const char *who, int failed)
{
	if (failed)
		fprintf(stderr, "%s: %s: %s\n", prog, who, c->why);
	_exit(failed ? 1 : 0);
}

/* Wait for a forked writer (killed once the case timed out); report it. */
static void reap_writer(struct ctx *c, pid_t pid, const char *what)
{
	int st = 0;
	pid_t w;

	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR && !timed_out)
		;
	if (w < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	report(c, what, expect(c, w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			       "child did not exit 0 (status 0x%x)", (unsigned)st));
}

/* ---- 15. fork + dup --------------------------------------------------- */

#define FD_HALF (256u << 10)
#define FD_REPLY 4096

static void cli_fork_dup(struct ctx *c)
{
	int fd, dfd;
	pid_t pid;

	STEP(c, "connect", fd = data_connect(c, 0));
	STEP(c, "dup", dfd = dup(fd));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* Child: first half through the duplicate only. */
		close(fd);
		arm(T_CASE);
		writer_exit(c, "child", send_pat(c, dfd, tx_seed(c), 0, FD_HALF, odd_tx) != 0);
	}
	if (pid < 0) {
		close(dfd);
		whyf(c, "fork: %s", strerror(errno));
		report(c, "fork", 0);
		return;
	}
	reap_writer(c, pid, "child_wrote_first_half_via_dup");
	/* Closing the dup (the child's copies are gone too) leaves fd open. */
	close(dfd);
	report(c, "parent_writes_after_closing_dup",
	       send_pat(c, fd, tx_seed(c), FD_HALF, FD_HALF, odd_tx) == 0);
	report(c, "reply_intact", recv_pat(c, fd, rx_seed(c), 0, FD_REPLY, NULL) == 0);
	close_data(c, 0);
}

static void srv_fork_dup(struct ctx *c)
{
	ssize_t r;
	int fd;

	STEP(c, "accept", fd = accept_data(c, 0));
	report(c, "stream_in_order_intact",
	       recv_pat(c, fd, rx_seed(c), 0, 2 * FD_HALF, odd_rx) == 0);
	STEP(c, "reply", send_pat(c, fd, tx_seed(c), 0, FD_REPLY, NULL));
	r = recv(fd, rxbuf, 1, 0);
	report(c, "eof_after_last_close", expect(c, r == 0, "recv %s", rstr(r, errno)));
}

/* ---- 16. two writers across the switch -------------------------------- */

/*
 * The server (on the switched path the passive side, which sends by TCP
 * until the client reads the ring) blocks writer A in one big send()
 * before the client reads at all; writer B, a forked writer of the same
 * socket, sends while A still waits. The client gets all bytes of both,
 * each writer's in order: on TCP they may interleave. A's bytes have bit
 * 7 clear, B's set, so the client can separate them. (The module once
 * cut over to the ring under A's feet, and A's tail went to TCP after
 * the cut, never read.)
 */
#define TW_A (8u * MIB)
#define TW_B 1000u
#define TW_QUIET (1.0 * scale)  /* client: no reads yet, A fills TCP */
#define TW_LATE (2.0 * scale)   /* server: then B writes */
#define TW_READ (16u << 10)     /* client: this much per recv... */
#define TW_NAP (0.005 * scale)  /* ...then a nap, so A keeps waiting */

static void tw_fill(uint8_t *buf, size_t n, uint32_t seed, uint64_t off, uint8_t hi)
{
	size_t i;

	pat_fill(buf, n, seed, off);
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)((buf[i] & 0x7f) | hi);
}

static int tw_send(struct ctx *c, int fd, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = send(fd, buf + done, n - done, MSG_NOSIGNAL);

		if (r <= 0)
			return whyf(c, "send at byte %zu %s", done, rstr(r, errno));
		done += (size_t)r;
	}
	return 0;
}

static void srv_two_writers(struct ctx *c)
{
	uint8_t *a = malloc(TW_A);
	int fd;
	pid_t pid;

	if (!a) {
		whyf(c, "no memory");
		report(c, "malloc", 0);
		return;
	}
	tw_fill(a, TW_A, seed(c, 1, 0), 0, 0);
	STEP(c, "accept", fd = accept_data(c, 0));
	pid = fork();
	if (pid == 0) {
		uint8_t b[TW_B];

		arm(T_CASE);
		tw_fill(b, TW_B, seed(c, 1, 1), 0, 0x80);
		nap(TW_LATE);
		writer_exit(c, "writer B", tw_send(c, fd, b, TW_B) != 0);
	}
	if (pid < 0) {
		free(a);
		whyf(c, "fork: %s", strerror(errno));
		report(c, "fork", 0);
		return;
	}
	report(c, "writer_a_sent_all", tw_send(c, fd, a, TW_A) == 0);
	free(a);
	reap_writer(c, pid, "writer_b_sent_all");
	report(c, "shutdown_wr", expect(c, shutdown(fd, SHUT_WR) == 0, "shutdown: %s",
					 strerror(errno)));
	close_data(c, 0);
}

/* Check writer hi's bytes in one received piece; *off counts them. */
static int tw_check(struct ctx *c, const uint8_t *p, size_t n, uint8_t hi, uint64_t *off)
{
	uint32_t sd = seed(c, 1, hi ? 1 : 0);
	uint64_t lim = hi ? TW_B : TW_A;
	uint8_t want;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((p[i] & 0x80) != hi)
			continue;
		if (*off >= lim)
			return whyf(c, "writer %c: more than %llu bytes", hi ? 'B' : 'A',
				    (unsigned long long)lim);
		tw_fill(&want, 1, sd, *off, hi);
		if (p[i] != want)
			return whyf(c, "writer %c: byte %llu is 0x%02x, want 0x%02x",
				    hi ? 'B' : 'A', (unsigned long long)*off, p[i], want);
		(*off)++;
	}
	return 0;
}

static void cli_two_writers(struct ctx *c)
{
	uint64_t na = 0, nb = 0, got = 0;
	int fd, bad = 0;
	ssize_t r;

	STEP(c, "connect", fd = data_connect(c, 0));
	nap(TW_QUIET);
	while ((r = recv(fd, rxbuf, TW_READ, 0)) > 0) {
		got += (uint64_t)r;
		if (!bad && (tw_check(c, rxbuf, (size_t)r, 0, &na) ||
			     tw_check(c, rxbuf, (size_t)r, 0x80, &nb)))
			bad = 1;
		nap(TW_NAP);
	}
	if (r < 0 && !bad)
		whyf(c, "recv after %llu bytes %s", (unsigned long long)got, rstr(r, errno));
	report(c, "both_writers_in_order", !bad && r == 0);
	report(c, "all_bytes_of_both",
	       expect(c, !bad && na == TW_A && nb == TW_B,
		      "got %llu of writer A's %u bytes, %llu of B's %u (%llu in all)",
		      (unsigned long long)na, TW_A, (unsigned long long)nb, TW_B,
		      (unsigned long long)got));
	close_data(c, 0);
}

/* ---- 17. send after SHUT_WR, once the peer read our FIN ---------------- */

/*
 * The client's data and FIN go by TCP before the server reads at all (on
 * the switched path: once the switch is done, but before the server reads
 * the ring, so they go by TCP); the server then
 * reads both in one recv(). Only after that does the client try to send
 * again, which must fail with EPIPE and change nothing: the server still
 * reads EOF. (The module once set its cut at that send, after the FIN;
 * the server, past the cut, then waited on the ring for an EOF that
 * never came.)
 */
#define SE_N 1000
#define SE_SWITCH (0.5 * scale) /* client: first send (lets the switch finish) */
#define SE_READ (1.5 * scale)   /* server: accept, first read: data and FIN */
#define SE_SEND (2.5 * scale)   /* client: then the send after SHUT_WR */
#define SE_EOF (3.5 * scale)    /* server: then EOF must still be there */

static void cli_shut_send(struct ctx *c)
{
	uint64_t got;
	ssize_t r;
	int fd;

	STEP(c, "connect", fd = data_connect(c, 0));
	nap(SE_SWITCH);
	STEP(c, "send", send_pat(c, fd, tx_seed(c), 0, SE_N, NULL));
	STEP(c, "shutdown", shutdown(fd, SHUT_WR) ? whyf(c, "%s", strerror(errno)) : 0);
	nap(SE_SEND - SE_SWITCH);
	r = send(fd, "x", 1, MSG_NOSIGNAL);
	report(c, "send_after_peer_read_fin_epipe",
	       expect(c, r < 0 && errno == EPIPE, "send %s", rstr(r, errno)));
	report(c, "eof_from_server",
	       recv_pat_eof(c, fd, rx_seed(c), &got) == 0 &&
		       expect(c, got == 0, "got %llu bytes, want none",
			      (unsigned long long)got));
	close_data(c, 0);
}

static void srv_shut_send(struct ctx *c)
{
	ssize_t r;
	int fd;

	/* Not even the data header read before: that read tells the peer
	 * that we read its ring, and its bytes would take the ring. */
	nap(SE_READ);
	STEP(c, "accept", fd = accept_data(c, 0));
	r = recv(fd, rxbuf, BUF, MSG_DONTWAIT);
	report(c, "data_in_one_read",
	       expect(c, r == SE_N, "recv %s, want %d", rstr(r, errno), SE_N) &&
		       pat_verify(c, rxbuf, (size_t)r, rx_seed(c), 0) == 0);
	nap(SE_EOF - SE_READ);
	r = recv(fd, rxbuf, 1, MSG_DONTWAIT);
	report(c, "eof_after_peer_send_failed", expect(c, r == 0, "recv %s", rstr(r, errno)));
	close_data(c, 0);
}

/* ---- driver ----------------------------------------------------------- */

static const struct tcase cases[] = {
	{ "blocking", cli_blocking, srv_blocking },
	{ "nonblock", cli_nonblock, srv_nonblock },
	{ "epoll", cli_epoll, srv_epoll },
	{ "peek", peek, peek },
	{ "waitall", cli_waitall, srv_waitall },
	{ "dontwait", cli_dontwait, srv_dontwait },
	{ "splice", cli_splice, srv_splice },
	{ "rcvlowat", cli_rcvlowat, srv_rcvlowat },
	{ "timeo", cli_timeo, srv_timeo },
	{ "inq", cli_inq, srv_inq },
	{ "shutdown", cli_shutdown, srv_shutdown },
	{ "close_unread", cli_close_unread, srv_close_unread },
	{ "linger0", cli_linger0, srv_linger0 },
	{ "many", many, many },
	{ "fork_dup", cli_fork_dup, srv_fork_dup },
	{ "two_writers", cli_two_writers, srv_two_writers },
	{ "shut_send", cli_shut_send, srv_shut_send },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static const struct tcase *find_case(const char *name)
{
	int i;

	for (i = 0; i < NCASES; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

static void ctx_init(struct ctx *c, const struct tcase *tc, int server)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->tc = tc;
	c->id = tc >= cases && tc < cases + NCASES ? (int)(tc - cases) : NCASES;
	c->server = server;
	c->ctl = c->lfd = -1;
	for (i = 0; i < MAXCONN; i++)
		c->data[i] = -1;
}

/* Serve cases one at a time until the client says "done". */
static int run_server(const char *host, const char *port, const char *brk)
{
	int lfd = tcp_listen(host, port), failed = 0;

	for (;;) {
		static const struct tcase none = { "?", NULL, NULL };
		const struct tcase *tc;
		char line[128];
		struct ctx c;
		int fd = tcp_accept(lfd);

		if (fd < 0)
			return 1;
		ctx_init(&c, &none, 1);
		c.ctl = fd;
		if (read_line(&c, fd, line, sizeof(line), T_WAIT)) {
			close(fd);
			continue;
		}
		if (!strcmp(line, "done")) {
			send_bytes(&c, fd, "bye\n", 4);
			close(fd);
			break;
		}
		/* Anything else (say a late data connection of a failed case) is dropped. */
		tc = strncmp(line, "case ", 5) ? NULL : find_case(line + 5);
		if (!tc || send_bytes(&c, fd, "go\n", 3)) {
			close(fd);
			continue;
		}
		ctx_init(&c, tc, 1);
		c.ctl = fd;
		c.lfd = lfd;
		c.brk = brk && !strcmp(brk, tc->name);
		arm(T_CASE);
		tc->srv(&c);
		/* A failed half tells a client that may wait for a step word. */
		if (c.failed) {
			close_all_data(&c);
			ctl_send(&c, "abort");
		}
		/* Else data connections stay open until the client half is over. */
		while (!c.client_fin && !ctl_line(&c, line, sizeof(line), T_CASE))
			;
		close_all_data(&c);
		disarm();
		if (!send_bytes(&c, fd, c.res, c.reslen))
			send_bytes(&c, fd, "end\n", 4);
		close(fd);
		failed += c.failed;
	}
	close(lfd);
	return failed ? 1 : 0;
}

/* The server's check lines for this case, printed after ours. */
static void collect_verdict(struct ctx *c)
{
	char line[512];

	for (;;) {
		if (read_line(c, c->ctl, line, sizeof(line), T_CASE + T_WAIT)) {
			report(c, "server_verdict", 0);
			return;
		}
		if (!strcmp(line, "end"))
			return;
		if (!strncmp(line, "ok   ", 5))
			c->passed++;
		else if (!strncmp(line, "FAIL ", 5))
			c->failed++;
		else
			continue; /* a step word the client half did not wait for */
		puts(line);
		fflush(stdout);
	}
}

static int run_client(const char *host, const char *port, const char **names, int nnames)
{
	static const struct tcase done = { "done", NULL, NULL };
	int passed = 0, failed = 0, lost = 0, i;
	struct ctx c;

	for (i = 0; i < (nnames ? nnames : NCASES); i++) {
		const struct tcase *tc = nnames ? find_case(names[i]) : &cases[i];

		ctx_init(&c, tc, 0);
		c.host = host;
		c.port = port;
		arm(T_CASE);
		/* The first connection may wait for the server to come up. */
		c.ctl = lost ? -1 : i ? tcp_connect(host, port) : tcp_connect_retry(host, port, 10 * scale);
		if (c.ctl < 0 && !i) {
			fprintf(stderr, "%s: connect %s:%s: %s\n", prog, host, port, strerror(errno));
			return 1;
		}
		/* After one case could not start, the rest fail at once rather
		 * than each waiting for a server that is gone or stuck. */
		if (lost) {
			whyf(&c, "skipped, an earlier case could not start");
			report(&c, "setup", 0);
		} else if (c.ctl < 0) {
			whyf(&c, "connect: %s", strerror(errno));
			report(&c, "setup", 0);
			lost = 1;
		} else if (ctl_send(&c, "case %s", tc->name) || ctl_expect(&c, "go", T_WAIT)) {
			report(&c, "setup", 0);
			lost = 1;
		} else {
			tc->cli(&c);
			/* A failed half drops its connections, so the server's
			 * half fails now instead of at its timeout. */
			if (c.failed)
				close_all_data(&c);
			ctl_send(&c, "fin");
			disarm();
			collect_verdict(&c);
		}
		disarm();
		/* Only now: an early FIN would change what the server half sees. */
		close_all_data(&c);
		if (c.ctl >= 0)
			close(c.ctl);
		passed += c.passed;
		failed += c.failed;
	}
	/* Tell the server to exit. */
	ctx_init(&c, &done, 0);
	c.ctl = tcp_connect(host, port);
	report(&c, "server_acknowledged",
	       expect(&c, c.ctl >= 0, "connect: %s", strerror(errno)) &&
		       !ctl_send(&c, "done") && !ctl_expect(&c, "bye", T_WAIT));
	if (c.ctl >= 0)
		close(c.ctl);
	passed += c.passed;
	failed += c.failed;
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server [-6] [-t SCALE] -p PORT\n"
		"       %s client [-6] [-t SCALE] HOST -p PORT [CASE...]\n"
		"       %s list\n",
		prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL, *brk = getenv("TCP_SEMANTICS_BREAK");
	static const char *names[256];
	struct sigaction sa = { .sa_handler = on_alarm };
	int v6 = 0, nnames = 0, opt, server, i;
	unsigned char a6[16];

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (i = 0; i < NCASES; i++)
			puts(cases[i].name);
		return 0;
	}
	server = argc < 2 ? -1 : net_role(argv[1]);
	if (server < 0)
		usage();
	optind = 2;
	/* Leading '-': positional arguments (HOST, cases) come back as 1, in order. */
	while ((opt = getopt(argc, argv, "-6p:t:")) != -1) {
		switch (opt) {
		case 1:
			if (server)
				usage();
			if (!host) {
				host = optarg;
			} else if (nnames == (int)(sizeof(names) / sizeof(names[0]))) {
				usage();
			} else if (find_case(optarg)) {
				names[nnames++] = optarg;
			} else {
				fprintf(stderr, "%s: no case '%s' (see '%s list')\n", prog, optarg, prog);
				exit(2);
			}
			break;
		case '6':
			v6 = 1;
			break;
		case 'p':
			port = optarg;
			break;
		case 't':
			scale = parse_seconds(prog, "timeout scale", optarg);
			break;
		default:
			usage();
		}
	}
	if (!port || (!server && !host))
		usage();
	if (!server && v6 && inet_pton(AF_INET6, host, a6) != 1) {
		fprintf(stderr, "%s: -6 wants an IPv6 HOST, not '%s'\n", prog, host);
		exit(2);
	}
	if (server && brk && !find_case(brk)) {
		fprintf(stderr, "%s: TCP_SEMANTICS_BREAK: no case '%s'\n", prog, brk);
		exit(2);
	}
	/* No SA_RESTART: the case alarm must interrupt blocking calls. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return server ? run_server(v6 ? "::" : "0.0.0.0", port, brk)
		      : run_client(host, port, names, nnames);
}
