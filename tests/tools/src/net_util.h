/* SPDX-License-Identifier: GPL-2.0 */
/* Socket, timing and argument helpers shared by the tcp_* tools. */
#ifndef TSMC_TOOLS_NET_UTIL_H
#define TSMC_TOOLS_NET_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Listening TCP socket on numeric host (NULL: any IPv4) and port; exits on error. */
int tcp_listen(const char *host, const char *port);
/* accept(), retried on EINTR/ECONNABORTED; -1 with perror() otherwise. */
int tcp_accept(int lfd);
/* Connected TCP socket to numeric host:port; -1 with errno set on failure. */
int tcp_connect(const char *host, const char *port);
/* Retry tcp_connect for up to wait_s seconds (the server may still be starting). */
int tcp_connect_retry(const char *host, const char *port, double wait_s);
void set_nodelay(int fd);
/* Full read/write; read_full returns bytes read (< n only at EOF), -1 on error. */
ssize_t read_full(int fd, void *buf, size_t n);
int write_full(int fd, const void *buf, size_t n);
double now_s(void);
/* Parse a positive integer with optional K/M/G (binary) suffix; exits on error. */
uint64_t parse_size(const char *prog, const char *what, const char *s);
double parse_seconds(const char *prog, const char *what, const char *s);
/* First argument of the two-ended tools: 1 "server", 0 "client", -1 other. */
int net_role(const char *arg);
/* Deterministic byte stream (xorshift64*) used by generators and checkers. */
void fill_pattern(uint64_t *state, uint8_t *buf, size_t n);

#endif
