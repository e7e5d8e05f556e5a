// SPDX-License-Identifier: MIT
/* tsmc-xenctl entry point: wire the real xenstored, libxenctrl and
 * signals into the command logic of main_cli.c. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xenctl.h"

int grant_query_xc(void *priv, unsigned int domid, struct grant_info *gi);

static volatile sig_atomic_t stop;
static int stop_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	ssize_t r;

	(void)sig;
	stop = 1;
	r = write(stop_pipe[1], "x", 1);	/* wakes poll(); async-signal-safe */
	(void)r;
}

static struct xsi *connect_real(void *priv)
{
	(void)priv;
	return xsi_libxs_open();
}

int main(int argc, char **argv)
{
	struct xenctl c = {
		.xs_connect = connect_real,
		.grant_query = grant_query_xc,
		.out = stdout,
		.err = stderr,
		.stop = &stop,
		.stop_fd = -1,
	};
	struct sigaction sa;

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
		c.stop_fd = stop_pipe[0];
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	return xenctl_main(&c, argc, argv);
}
