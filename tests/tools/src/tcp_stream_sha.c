// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_stream_sha: bulk TCP stream with a SHA-256 computed on both ends.
 *   tcp_stream_sha server -p PORT [-b ADDR]
 *   tcp_stream_sha client -c HOST -p PORT [-B BYTES] [-s SEED]
 *   tcp_stream_sha gen [-B BYTES] [-s SEED]        (the same bytes to stdout)
 * The client sends BYTES of a seeded pattern and half-closes; the server
 * hashes what it got and answers "BYTES HEX\n"; the client compares both
 * and exits 1 on any difference. SHA-256 comes from libcrypto (OpenSSL, EVP).
 */
#define _POSIX_C_SOURCE 200809L
#include "net_util.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A multiple of 8: fill_pattern's stream only depends on seed and offset then. */
#define CHUNK (256 * 1024)

static const char *prog = "tcp_stream_sha";
static uint8_t buf[CHUNK];

static void usage(void)
{
	fprintf(stderr,
		"usage: %s server -p PORT [-b ADDR]\n"
		"       %s client -c HOST -p PORT [-B BYTES] [-s SEED]\n"
		"       %s gen [-B BYTES] [-s SEED]\n",
		prog, prog, prog);
	exit(2);
}

/* Any libcrypto failure ends the tool: a digest we cannot trust is useless. */
static void crypto_die(const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256] = "no error queued by libcrypto";

	if (e)
		ERR_error_string_n(e, msg, sizeof(msg));
	fprintf(stderr, "%s: SHA-256: %s failed: %s\n", prog, what, msg);
	exit(1);
}

static EVP_MD_CTX *sha256_begin(void)
{
	const EVP_MD *md = EVP_sha256();
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!md)
		crypto_die("EVP_sha256");
	if (!c)
		crypto_die("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(c, md, NULL) != 1)
		crypto_die("EVP_DigestInit_ex");
	return c;
}

static void sha256_add(EVP_MD_CTX *c, const void *data, size_t n)
{
	if (EVP_DigestUpdate(c, data, n) != 1)
		crypto_die("EVP_DigestUpdate");
}

/* Finish the digest as lower-case hex (64 digits and a NUL) and free c. */
static void sha256_end(EVP_MD_CTX *c, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (EVP_DigestFinal_ex(c, d, &len) != 1)
		crypto_die("EVP_DigestFinal_ex");
	if (len != 32) {
		fprintf(stderr, "%s: SHA-256: EVP_DigestFinal_ex gave %u bytes, not 32\n", prog, len);
		exit(1);
	}
	EVP_MD_CTX_free(c);
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * len] = '\0';
}

/* Produce the pattern chunk by chunk, hashing it and handing it to fd. */
static int send_pattern(int fd, uint64_t bytes, uint64_t seed, char hex[65])
{
	EVP_MD_CTX *sh = sha256_begin();
	uint64_t left = bytes, st = (seed << 1) | 1; /* xorshift state must be non-zero */

	while (left) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;

		fill_pattern(&st, buf, n);
		sha256_add(sh, buf, n);
		if (write_full(fd, buf, n)) {
			EVP_MD_CTX_free(sh);
			return -1;
		}
		left -= n;
	}
	sha256_end(sh, hex);
	return 0;
}

static int run_server(const char *host, const char *port)
{
	int lfd = tcp_listen(host, port), fd;
	EVP_MD_CTX *sh;
	uint64_t total = 0;
	char hex[65], line[128];
	ssize_t r;

	fd = tcp_accept(lfd);
	if (fd < 0)
		return 1;
	sh = sha256_begin();
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("read");
			EVP_MD_CTX_free(sh);
			return 1;
		}
		sha256_add(sh, buf, (size_t)r);
		total += (uint64_t)r;
	}
	sha256_end(sh, hex);
	snprintf(line, sizeof(line), "%" PRIu64 " %s\n", total, hex);
	if (write_full(fd, line, strlen(line))) {
		perror("write");
		return 1;
	}
	close(fd);
	close(lfd);
	printf("bytes %" PRIu64 "\nsha256 %s\n", total, hex);
	return 0;
}

static int run_client(const char *host, const char *port, uint64_t bytes, uint64_t seed)
{
	char hex[65], line[128] = "", peer_hex[65] = "";
	unsigned long long peer_bytes = 0;
	double t0, el;
	ssize_t r;
	int fd;

	fd = tcp_connect_retry(host, port, 10);
	if (fd < 0) {
		fprintf(stderr, "%s: connect %s:%s: %s\n", prog, host, port, strerror(errno));
		return 1;
	}
	t0 = now_s();
	if (send_pattern(fd, bytes, seed, hex) || shutdown(fd, SHUT_WR)) {
		fprintf(stderr, "%s: send failed: %s\n", prog, strerror(errno));
		return 1;
	}
	r = read_full(fd, line, sizeof(line) - 1);
	/* Time until the server has hashed the last byte: the whole transfer. */
	el = now_s() - t0;
	close(fd);
	if (r <= 0 || sscanf(line, "%llu %64s", &peer_bytes, peer_hex) != 2) {
		fprintf(stderr, "%s: no digest from server\n", prog);
		return 1;
	}
	printf("bytes %" PRIu64 "\nsha256 %s\npeer_bytes %llu\npeer_sha256 %s\n", bytes, hex,
	       peer_bytes, peer_hex);
	printf("seconds %.3f\ngbps %.3f\n", el, (double)bytes * 8 / el / 1e9);
	if (peer_bytes != bytes || strcmp(hex, peer_hex)) {
		printf("match no\n");
		fprintf(stderr, "%s: MISMATCH: sent %" PRIu64 " bytes sha256 %s, server got %llu sha256 %s\n",
			prog, bytes, hex, peer_bytes, peer_hex);
		return 1;
	}
	printf("match yes\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL, *mode;
	uint64_t bytes = 256ULL << 20, seed = 1;
	char hex[65];
	int opt;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "server") && strcmp(mode, "client") && strcmp(mode, "gen"))
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "b:c:p:B:s:")) != -1) {
		switch (opt) {
		case 'b':
		case 'c':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'B':
			bytes = parse_size(prog, "byte count", optarg);
			break;
		case 's':
			seed = parse_size(prog, "seed", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!strcmp(mode, "gen")) {
		if (send_pattern(STDOUT_FILENO, bytes, seed, hex)) {
			perror("write");
			return 1;
		}
		fprintf(stderr, "sha256 %s\n", hex);
		return 0;
	}
	if (!port || (!strcmp(mode, "client") && !host))
		usage();
	return !strcmp(mode, "server") ? run_server(host, port) : run_client(host, port, bytes, seed);
}
