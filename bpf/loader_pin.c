// SPDX-License-Identifier: GPL-2.0
/* Commands on an attached instance, found through its pin directory. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "loader.h"

static const char *const pinned[] = {
	TSMC_PIN_LINK, TSMC_PIN_CONFIG, TSMC_PIN_EXCL_PORTS,
	TSMC_PIN_EXCL_PREFIXES, TSMC_PIN_STATS, TSMC_PIN_PEERS,
	TSMC_PIN_EVENTS,
};

int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int open_pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "Error: not attached: cannot open %s: %s\n", path,
			strerror(errno));
	return fd;
}

/* Detach the link even if someone else holds it, then drop every pin. */
int cmd_detach(const struct loader_opts *o)
{
	char path[PATH_MAX];
	size_t i;
	int fd, err = 0;

	fd = open_pinned(o->pin_dir, TSMC_PIN_LINK);
	if (fd < 0)
		err = -1;
	else if (bpf_link_detach(fd)) {
		fprintf(stderr, "Error: detaching link: %s\n", strerror(errno));
		err = -1;
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
		pin_path(path, sizeof(path), o->pin_dir, pinned[i]);
		if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "Error: unlink %s: %s\n", path,
				strerror(errno));
			err = -1;
		}
	}
	if (rmdir(o->pin_dir) && errno != ENOENT) {
		fprintf(stderr, "Error: rmdir %s: %s\n", o->pin_dir,
			strerror(errno));
		err = -1;
	}
	return err;
}

struct pinned_maps {
	int config, ports, prefixes, stats;
};

static int open_maps(const char *dir, struct pinned_maps *m)
{
	m->config = open_pinned(dir, TSMC_PIN_CONFIG);
	m->ports = m->config < 0 ? -1 : open_pinned(dir, TSMC_PIN_EXCL_PORTS);
	m->prefixes = m->ports < 0 ? -1 :
		      open_pinned(dir, TSMC_PIN_EXCL_PREFIXES);
	m->stats = m->prefixes < 0 ? -1 : open_pinned(dir, TSMC_PIN_STATS);
	return m->stats < 0 ? -1 : 0;
}

static void close_maps(struct pinned_maps *m)
{
	int *fds[] = { &m->config, &m->ports, &m->prefixes, &m->stats };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

int cmd_update(const struct loader_opts *o)
{
	struct pinned_maps m = { -1, -1, -1, -1 };
	int err = -1;

	if (env_check_caps() == 0 && open_maps(o->pin_dir, &m) == 0)
		err = policy_apply(o, m.config, m.ports, m.prefixes, -1);
	close_maps(&m);
	return err;
}

int cmd_status(const struct loader_opts *o)
{
	struct pinned_maps m = { -1, -1, -1, -1 };
	int err = -1;

	if (env_check_caps() == 0 && open_maps(o->pin_dir, &m) == 0)
		err = policy_print(m.config, m.ports, m.prefixes, m.stats);
	close_maps(&m);
	return err;
}
