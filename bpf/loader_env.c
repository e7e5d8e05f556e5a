// SPDX-License-Identifier: GPL-2.0
/* Environment checks with an error message that says what to fix. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include "loader.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int env_check_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	fprintf(stderr, "Error: kernel has no BTF (/sys/kernel/btf/vmlinux: %s); "
		"a kernel built with CONFIG_DEBUG_INFO_BTF=y is needed\n",
		strerror(errno));
	return -1;
}

static bool cap_has(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int env_check_caps(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d)) {
		fprintf(stderr, "Error: capget: %s\n", strerror(errno));
		return -1;
	}
	if (cap_has(d, CAP_SYS_ADMIN) ||
	    (cap_has(d, CAP_BPF) && cap_has(d, CAP_NET_ADMIN)))
		return 0;
	fprintf(stderr, "Error: missing CAP_BPF and CAP_NET_ADMIN (or "
		"CAP_SYS_ADMIN): loading a sockops program needs them; run as root\n");
	return -1;
}

/* The first cgroup2 mount in /proc/self/mounts (hybrid hosts: unified). */
static int cgroup2_root(char *buf, size_t len)
{
	char line[4096], dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) != 3)
			continue;
		if (strcmp(type, "cgroup2") == 0) {
			snprintf(buf, len, "%s", dir);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

int env_open_cgroup(const char *path, char *resolved, size_t len)
{
	struct statfs sfs;
	int fd;

	if (!path) {
		if (cgroup2_root(resolved, len)) {
			fprintf(stderr, "Error: no cgroup v2 mounted (no cgroup2 "
				"entry in /proc/self/mounts); mount one or pass --cgroup\n");
			return -1;
		}
	} else {
		snprintf(resolved, len, "%s", path);
	}
	fd = open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: cannot open cgroup %s: %s\n", resolved,
			strerror(errno));
		return -1;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		fprintf(stderr, "Error: %s is not a cgroup v2 directory; sockops "
			"programs attach to cgroup v2 only\n", resolved);
		close(fd);
		return -1;
	}
	return fd;
}

static bool is_bpffs(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

/* The pin dir's parent must be a bpffs; mount /sys/fs/bpf if it is not. */
int env_prepare_pin_dir(const char *pin_dir)
{
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent) {
		fprintf(stderr, "Error: pin dir %s must be an absolute path "
			"below a bpffs mount\n", pin_dir);
		return -1;
	}
	*slash = '\0';
	if (!is_bpffs(parent) && strcmp(parent, "/sys/fs/bpf") == 0 &&
	    mount("bpf", parent, "bpf", 0, "mode=0700"))
		fprintf(stderr, "Error: mount bpffs on %s: %s\n", parent,
			strerror(errno));
	if (!is_bpffs(parent)) {
		fprintf(stderr, "Error: %s is not a bpffs mount; pinning needs "
			"one (mount -t bpf bpf %s)\n", parent, parent);
		return -1;
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "Error: mkdir %s: %s\n", pin_dir, strerror(errno));
		return -1;
	}
	return 0;
}
