/* SPDX-License-Identifier: GPL-2.0 */
/* tsmc-bpf loader: pieces shared by its source files, one job each. */
#ifndef TSMC_LOADER_H
#define TSMC_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tsmc_bpf.h"

#define LOADER_MAX_EXCL	64

enum loader_cmd { CMD_ATTACH, CMD_DETACH, CMD_UPDATE, CMD_STATUS };

struct loader_opts {
	enum loader_cmd cmd;
	const char *cgroup;		/* NULL: root of the cgroup2 mount */
	const char *pin_dir;
	bool have_domid, have_tag;
	__u16 domid;
	__u8 host_tag[8];
	int doorbell;			/* -1 auto, else enum tsmc_doorbell_mode */
	int enabled;			/* -1 unchanged, 0 or 1 */
	int n_ports, n_prefixes;
	__u16 excl_ports[LOADER_MAX_EXCL];
	struct tsmc_prefix_key excl_prefixes[LOADER_MAX_EXCL];
};

/* loader_env.c: what the running system offers */
int env_check_btf(void);
int env_check_caps(void);
int env_open_cgroup(const char *path, char *resolved, size_t len);
int env_prepare_pin_dir(const char *pin_dir);

/* loader_identity.c: own domid and host tag */
int parse_domid(const char *s, __u16 *domid);
int parse_host_tag(const char *s, __u8 tag[8]);
int identity_from_xenstore(__u16 *domid, __u8 tag[8]);

/* loader_policy.c: config and exclusion maps */
int parse_port(const char *s, __u16 *port);
int parse_prefix(const char *s, struct tsmc_prefix_key *key);
int policy_apply(const struct loader_opts *o, int config_fd, int ports_fd,
		 int prefixes_fd, int doorbell);
int policy_print(int config_fd, int ports_fd, int prefixes_fd, int stats_fd);

/* loader_doorbell.c: which doorbell this kernel supports */
bool doorbell_kfunc_available(void);
bool doorbell_cc_available(void);
const char *doorbell_name(int mode);
int doorbell_parse(const char *s);

/* loader_attach.c / loader_pin.c: the commands */
int cmd_attach(const struct loader_opts *o);
int cmd_detach(const struct loader_opts *o);
int cmd_update(const struct loader_opts *o);
int cmd_status(const struct loader_opts *o);
int pin_path(char *buf, size_t len, const char *dir, const char *name);

#endif /* TSMC_LOADER_H */
