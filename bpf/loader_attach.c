// SPDX-License-Identifier: GPL-2.0
/*
 * Attach: open the skeleton for the chosen doorbell, load, write policy,
 * attach to the cgroup with a bpf_link and pin link and maps, so that the
 * program outlives the loader. The link file is pinned last: its presence
 * means "attached".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "tsmc_sockops.skel.h"
#include "tsmc_sockops_kfunc.skel.h"

/* The two skeletons differ only in the kfunc call; handle them alike. */
struct loaded {
	struct tsmc_sockops *plain;
	struct tsmc_sockops_kfunc *kfunc;
	struct bpf_object *obj;
	struct bpf_program *prog;
};

static void loaded_destroy(struct loaded *l)
{
	tsmc_sockops__destroy(l->plain);
	tsmc_sockops_kfunc__destroy(l->kfunc);
	memset(l, 0, sizeof(*l));
}

static int load_mode(struct loaded *l, int mode)
{
	int err;

	memset(l, 0, sizeof(*l));
	if (mode == TSMC_DB_KFUNC) {
		l->kfunc = tsmc_sockops_kfunc__open();
		if (!l->kfunc)
			return -errno;
		l->kfunc->rodata->doorbell_mode = (__u32)mode;
		l->obj = l->kfunc->obj;
		l->prog = l->kfunc->progs.tsmc_sockops;
		err = tsmc_sockops_kfunc__load(l->kfunc);
	} else {
		l->plain = tsmc_sockops__open();
		if (!l->plain)
			return -errno;
		l->plain->rodata->doorbell_mode = (__u32)mode;
		l->obj = l->plain->obj;
		l->prog = l->plain->progs.tsmc_sockops;
		err = tsmc_sockops__load(l->plain);
	}
	if (err)
		loaded_destroy(l);
	return err;
}

/* Explicit choice, or the best one the kernel offers. */
static int load_best(struct loaded *l, int want)
{
	int err;

	if (want >= 0) {
		if (want == TSMC_DB_KFUNC && !doorbell_kfunc_available()) {
			fprintf(stderr, "Error: doorbell kfunc requested but "
				"module tsmc_xen exports no kfunc in its BTF\n");
			return -1;
		}
		if (want == TSMC_DB_CC && !doorbell_cc_available()) {
			fprintf(stderr, "Error: doorbell cc requested but "
				"congestion control is not registered "
				"(is tsmc_xen loaded?)\n");
			return -1;
		}
		err = load_mode(l, want);
		if (err)
			fprintf(stderr, "Error: failed to load BPF program "
				"(doorbell %s): %s\n", doorbell_name(want),
				strerror(-err));
		return err ? -1 : want;
	}
	if (doorbell_kfunc_available()) {
		if (!load_mode(l, TSMC_DB_KFUNC))
			return TSMC_DB_KFUNC;
		fprintf(stderr, "Warning: kernel refused the kfunc doorbell "
			"from sockops; trying the next one\n");
	}
	want = doorbell_cc_available() ? TSMC_DB_CC : TSMC_DB_RINGBUF;
	err = load_mode(l, want);
	if (err) {
		fprintf(stderr, "Error: failed to load BPF program (doorbell "
			"%s): %s\n", doorbell_name(want), strerror(-err));
		return -1;
	}
	return want;
}

/* Refuse a second instance on the same cgroup, pinned or not. */
static int already_attached(int cg_fd, const char *cg, const char *pin_dir)
{
	__u32 ids[64], cnt = 64, flags = 0, i;
	char link[PATH_MAX];

	pin_path(link, sizeof(link), pin_dir, TSMC_PIN_LINK);
	if (access(link, F_OK) == 0) {
		fprintf(stderr, "Error: already attached: %s exists; run "
			"tsmc-bpf --detach first\n", link);
		return 1;
	}
	if (bpf_prog_query(cg_fd, BPF_CGROUP_SOCK_OPS, 0, &flags, ids, &cnt))
		return 0;
	for (i = 0; i < cnt; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    strcmp(info.name, TSMC_PROG_NAME) == 0) {
			fprintf(stderr, "Error: already attached: program %s "
				"(id %u) is on cgroup %s but not pinned under "
				"%s\n", TSMC_PROG_NAME, ids[i], cg, pin_dir);
			close(fd);
			return 1;
		}
		close(fd);
	}
	return 0;
}

static int pin_all(struct bpf_object *obj, struct bpf_link *link,
		   const char *dir)
{
	static const char *const maps[] = {
		TSMC_PIN_CONFIG, TSMC_PIN_EXCL_PORTS, TSMC_PIN_EXCL_PREFIXES,
		TSMC_PIN_STATS, TSMC_PIN_PEERS, TSMC_PIN_EVENTS,
	};
	char path[PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, maps[i]);

		pin_path(path, sizeof(path), dir, maps[i]);
		err = m ? bpf_map__pin(m, path) : -ENOENT;
		if (err) {
			fprintf(stderr, "Error: failed to pin %s: %s\n", path,
				strerror(-err));
			return err;
		}
	}
	pin_path(path, sizeof(path), dir, TSMC_PIN_LINK);
	err = bpf_link__pin(link, path);
	if (err)
		fprintf(stderr, "Error: failed to pin %s: %s\n", path,
			strerror(-err));
	return err;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(obj, name));
}

int cmd_attach(const struct loader_opts *o)
{
	struct loader_opts eff = *o;
	struct bpf_link *link = NULL;
	struct loaded l = {};
	char cg[PATH_MAX];
	int cg_fd, mode, err = -1;

	if (env_check_btf() || env_check_caps())
		return -1;
	cg_fd = env_open_cgroup(o->cgroup, cg, sizeof(cg));
	if (cg_fd < 0)
		return -1;
	if (!eff.have_domid || !eff.have_tag) {
		if (identity_from_xenstore(&eff.domid, eff.host_tag))
			goto out;
		eff.have_domid = eff.have_tag = true;
	}
	if (eff.enabled < 0)
		eff.enabled = 1;
	if (env_prepare_pin_dir(o->pin_dir) ||
	    already_attached(cg_fd, cg, o->pin_dir))
		goto out;
	mode = load_best(&l, o->doorbell);
	if (mode < 0)
		goto out;
	if (policy_apply(&eff, map_fd(l.obj, TSMC_PIN_CONFIG),
			 map_fd(l.obj, TSMC_PIN_EXCL_PORTS),
			 map_fd(l.obj, TSMC_PIN_EXCL_PREFIXES), mode))
		goto out;
	link = bpf_program__attach_cgroup(l.prog, cg_fd);
	if (!link) {
		fprintf(stderr, "Error: failed to attach to cgroup %s: %s\n", cg,
			strerror(errno));
		goto out;
	}
	if (pin_all(l.obj, link, o->pin_dir)) {
		cmd_detach(o);
		goto out;
	}
	printf("tsmc-bpf: attached to %s, doorbell %s, domid %u, pinned in %s\n",
	       cg, doorbell_name(mode), eff.domid, o->pin_dir);
	err = 0;
out:
	bpf_link__destroy(link);	/* the pin keeps it attached */
	loaded_destroy(&l);
	close(cg_fd);
	if (err)
		rmdir(o->pin_dir);	/* only if we left it empty */
	return err;
}
