// SPDX-License-Identifier: MIT
/* Test environment: runs the real command logic against the fake xenstore. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

unsigned int checks_failed_in_test;

static struct xsi *connect_fake(void *priv)
{
	struct env *e = priv;

	if (e->xenstored_absent) {
		errno = ENOENT;
		return NULL;
	}
	return &e->xs->base;
}

static int grant_fake(void *priv, unsigned int domid, struct grant_info *gi)
{
	struct env *e = priv;

	(void)domid;
	if (e->grant_rc)
		return e->grant_rc;
	*gi = e->grants;
	return 0;
}

void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->xs = fake_xs_new();
	snprintf(e->dir, sizeof(e->dir), "build/tmp.XXXXXX");
	if (!mkdtemp(e->dir)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(e->state_dir, sizeof(e->state_dir), "%s/state", e->dir);
	snprintf(e->policy, sizeof(e->policy), "%s/etc/policy", e->dir);
	e->grants.nr_frames = 4;
	e->grants.max_frames = 64;
}

void env_fini(struct env *e)
{
	char cmd[600];

	fake_xs_free(e->xs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", e->dir);
}

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

int run(struct env *e, const char *cmdline)
{
	char line[1024], *argv[32], *save, *tok;
	int argc = 0, rc;
	FILE *out = tmpfile(), *err = tmpfile();
	struct xenctl c = {
		.xs_connect = connect_fake,
		.grant_query = grant_fake,
		.priv = e,
		.state_dir = e->state_dir,
		.policy_path = e->policy,
		.out = out,
		.err = err,
		.stop_fd = -1,
		.daemon_max_passes = e->max_passes,
	};

	if (!out || !err)
		abort();
	snprintf(line, sizeof(line), "tsmc-xenctl %s", cmdline);
	for (tok = strtok_r(line, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	rc = xenctl_main(&c, argc, argv);
	fflush(out);
	fflush(err);
	slurp(out, e->out, sizeof(e->out));
	slurp(err, e->err, sizeof(e->err));
	return rc;
}

const char *uuid_of(unsigned int domid)
{
	static char buf[8][40];
	static unsigned int k;
	char *b = buf[k++ % 8];

	snprintf(b, 40, "0a1b2c3d-0000-4000-8000-%012u", domid);
	return b;
}

void env_host(struct env *e)
{
	if (run(e, "init") != 0)
		fprintf(stderr, "env_host: init failed: %s\n", e->err);
	fake_xs_add_domain(e->xs, 3, "alpha", uuid_of(3));
	fake_xs_add_domain(e->xs, 7, "beta", uuid_of(7));
	fake_xs_add_domain(e->xs, 9, "gamma", uuid_of(9));
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

const char *P(const char *fmt, ...)
{
	static char buf[8][256];
	static unsigned int k;
	char *b = buf[k++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, 256, fmt, ap);
	va_end(ap);
	return b;
}
