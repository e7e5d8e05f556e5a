/* SPDX-License-Identifier: MIT */
/* Shared state of one tsmc-xenctl invocation and the command table. */
#ifndef TSMC_XENCTL_H
#define TSMC_XENCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "json_writer.h"
#include "xsi.h"

#define EXIT_USAGE 2

#define TSMC_STATE_DIR "/var/lib/tsmc-xen"
#define TSMC_POLICY_FILE "/etc/tsmc-xen/policy"

struct grant_info {
	unsigned int nr_frames, max_frames;
};

struct xenctl {
	/* Injected so that unit tests run everything against fakes. */
	struct xsi *(*xs_connect)(void *priv);
	int (*grant_query)(void *priv, unsigned int domid, struct grant_info *gi);
	void *priv;

	struct xsi *xs;			/* connected on first use */
	const char *state_dir;
	const char *policy_path;
	bool json, pretty;
	FILE *out, *err;
	json_writer_t *jw;
	volatile sig_atomic_t *stop;	/* daemon: set by SIGTERM/SIGINT */
	int stop_fd;			/* daemon: readable when stop is set */
	unsigned int daemon_max_passes;	/* 0 = forever; tests use a few */
};

struct cmd {
	const char *name;
	int (*fn)(struct xenctl *c, int argc, char **argv);
	const char *args;
	const char *desc;
};

/* Exit code 0/1/2. argv[0] is the program name. */
int xenctl_main(struct xenctl *c, int argc, char **argv);

/* bpftool-style error: "Error: ..." on stderr, or {"error": ...} with --json. */
void p_err(struct xenctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Informational text; silent in JSON mode. */
void p_info(struct xenctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Connect to xenstored; prints the error itself. NULL on failure. */
struct xsi *xenctl_xs(struct xenctl *c);
/* Print usage of one command (to err) and return EXIT_USAGE. */
int usage_of(struct xenctl *c, const char *cmd);

int cmd_init(struct xenctl *c, int argc, char **argv);
int cmd_enable(struct xenctl *c, int argc, char **argv);
int cmd_disable(struct xenctl *c, int argc, char **argv);
int cmd_policy(struct xenctl *c, int argc, char **argv);
int cmd_status(struct xenctl *c, int argc, char **argv);
int cmd_daemon(struct xenctl *c, int argc, char **argv);

/* Bump config-gen inside tx so a running daemon reconciles at once. */
int xenctl_bump_gen(struct xsi *x, xsi_tx tx);

#endif
