// SPDX-License-Identifier: GPL-2.0
/*
 * One test case's world: netns A and B joined by veth (va, vb), IPv4 and
 * IPv6 addresses, a cgroup per side, and tsmc-bpf instances attached to
 * them. Teardown undoes everything that setup got to, also half-built.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static int orig_netns = -1;

int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st != 0) {
		fprintf(stderr, "  command failed (%d): %s\n", st, cmd);
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "  open %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val)) {
		fprintf(stderr, "  write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int cgroup2_root(char *buf, size_t len)
{
	char line[4096], dev[256], dir[1024], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");
	int err = -1;

	if (!f)
		return -1;
	while (err && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %1023s %63s", dev, dir, type) == 3 &&
		    strcmp(type, "cgroup2") == 0) {
			snprintf(buf, len, "%s", dir);
			err = 0;
		}
	fclose(f);
	return err;
}

static int own_cgroup(const char *root, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int err = -1;

	if (!f)
		return -1;
	while (err && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s%s", root, line + 3);
			err = 0;
		}
	fclose(f);
	return err;
}

int env_setup(struct testenv *e, const char *tag, int family)
{
	char root[256];
	int i, pid = (int)getpid();

	memset(e, 0, sizeof(*e));
	e->family = family;
	if (orig_netns < 0)
		orig_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig_netns < 0 || cgroup2_root(root, sizeof(root)) ||
	    own_cgroup(root, e->cg_orig, sizeof(e->cg_orig))) {
		fprintf(stderr, "  no cgroup v2 or netns support\n");
		return -1;
	}
	snprintf(e->cg_parent, sizeof(e->cg_parent), "%s/tsmc-test-%d", root, pid);
	if (mkdir(e->cg_parent, 0755) && errno != EEXIST)
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(e->ns[i], sizeof(e->ns[i]), "tsmcT%d%c", pid, 'a' + i);
		snprintf(e->cg[i], sizeof(e->cg[i]), "%s/%s-%c", e->cg_parent,
			 tag, 'a' + i);
		snprintf(e->pin[i], sizeof(e->pin[i]),
			 "/sys/fs/bpf/tsmc-test-%d-%c", pid, 'a' + i);
		if (mkdir(e->cg[i], 0755) && errno != EEXIST) {
			fprintf(stderr, "  mkdir %s: %s\n", e->cg[i],
				strerror(errno));
			return -1;
		}
		if (run_cmd("ip netns add %s", e->ns[i]))
			return -1;
	}
	if (run_cmd("ip -n %s link add va address " MAC_A " type veth peer "
		    "name vb netns %s address " MAC_B, e->ns[0], e->ns[1]))
		return -1;
	for (i = 0; i < 2; i++) {
		const char *dev = i ? "vb" : "va";

		if (run_cmd("ip -n %s link set lo up && ip -n %s link set %s up"
			    " && ip -n %s addr add 10.77.0.%d/24 dev %s && "
			    "ip -n %s addr add fd77::%d/64 dev %s nodad",
			    e->ns[i], e->ns[i], dev, e->ns[i], i + 1, dev,
			    e->ns[i], i + 1, dev))
			return -1;
	}
	/* injected SYNs come from FAKE_*: B answers to A's MAC, A drops them */
	return run_cmd("ip -n %s neigh add " FAKE_V4 " lladdr " MAC_A " dev vb "
		       "nud permanent && ip -n %s neigh add " FAKE_V6 " lladdr "
		       MAC_A " dev vb nud permanent", e->ns[1], e->ns[1]);
}

int env_attach(struct testenv *e, int side, unsigned int domid,
	       const char *host_tag, const char *const *extra)
{
	const char *argv[32];
	char domid_s[16];
	int n = 0, st;
	pid_t pid;

	snprintf(domid_s, sizeof(domid_s), "%u", domid);
	argv[n++] = TSMC_BPF_LOADER;
	argv[n++] = "--cgroup";
	argv[n++] = e->cg[side];
	argv[n++] = "--pin-dir";
	argv[n++] = e->pin[side];
	argv[n++] = "--domid";
	argv[n++] = domid_s;
	argv[n++] = "--host-tag";
	argv[n++] = host_tag;
	while (extra && *extra && n < 30)
		argv[n++] = *extra++;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		fprintf(stderr, "  tsmc-bpf attach on side %c failed\n",
			'A' + side);
		return -1;
	}
	e->attached[side] = true;
	return 0;
}

int env_enter(struct testenv *e, int side)
{
	char path[1200];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", e->ns[side]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	snprintf(path, sizeof(path), "%s/cgroup.procs", e->cg[side]);
	return err ? -1 : write_file(path, "0");
}

int env_leave(struct testenv *e)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/cgroup.procs", e->cg_orig);
	if (setns(orig_netns, CLONE_NEWNET))
		return -1;
	return write_file(path, "0");
}

int env_sysctl(struct testenv *e, int side, const char *path, const char *val)
{
	int err;

	if (env_enter(e, side))
		return -1;
	err = write_file(path, val);
	return env_leave(e) ? -1 : err;
}

void env_addr(const struct testenv *e, int side, struct sockaddr_storage *ss,
	      socklen_t *len, __u16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (e->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, side ? "10.77.0.2" : "10.77.0.1",
			  &sin->sin_addr);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, side ? "fd77::2" : "fd77::1",
			  &sin6->sin6_addr);
		*len = sizeof(*sin6);
	}
}

void env_teardown(struct testenv *e)
{
	int i;

	env_leave(e);
	for (i = 0; i < 2; i++) {
		if (e->attached[i])
			run_cmd(TSMC_BPF_LOADER " --detach --pin-dir %s",
				e->pin[i]);
		if (e->ns[i][0])
			run_cmd("ip netns del %s 2>/dev/null || true", e->ns[i]);
		if (e->cg[i][0])
			rmdir(e->cg[i]);
	}
	if (e->cg_parent[0])
		rmdir(e->cg_parent);
	memset(e, 0, sizeof(*e));
}
