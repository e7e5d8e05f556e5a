// SPDX-License-Identifier: GPL-2.0
/* Policy as data: the config entry and the exclusion maps. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"

int parse_port(const char *s, __u16 *port)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 65535) {
		fprintf(stderr, "Error: bad port '%s': want 1..65535\n", s);
		return -1;
	}
	*port = (__u16)v;
	return 0;
}

/* "10.0.0.0/8" or "fd00::/8"; IPv4 is stored v4-mapped (+96 bits). */
int parse_prefix(const char *s, struct tsmc_prefix_key *key)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	unsigned long len;
	char *end;
	size_t n;

	memset(key, 0, sizeof(*key));
	if (!slash || slash == s || (n = (size_t)(slash - s)) >= sizeof(addr))
		goto bad;
	memcpy(addr, s, n);
	addr[n] = '\0';
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end)
		goto bad;
	if (inet_pton(AF_INET, addr, &key->addr[12]) == 1) {
		if (len > 32)
			goto bad;
		key->addr[10] = 0xff;
		key->addr[11] = 0xff;
		key->prefixlen = 96 + (__u32)len;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, key->addr) == 1 && len <= 128) {
		key->prefixlen = (__u32)len;
		return 0;
	}
bad:
	fprintf(stderr, "Error: bad prefix '%s': want ADDR/LEN (IPv4 or IPv6)\n",
		s);
	return -1;
}

int policy_apply(const struct loader_opts *o, int config_fd, int ports_fd,
		 int prefixes_fd, int doorbell)
{
	struct tsmc_bpf_config c = {};
	__u32 key = 0;
	__u8 one = 1;
	int i;

	if (bpf_map_lookup_elem(config_fd, &key, &c))
		goto fail;
	if (o->enabled >= 0)
		c.enabled = (__u32)o->enabled;
	if (o->have_domid)
		c.domid = o->domid;
	if (o->have_tag)
		memcpy(c.host_tag, o->host_tag, sizeof(c.host_tag));
	if (doorbell >= 0)
		c.doorbell = (__u16)doorbell;
	if (bpf_map_update_elem(config_fd, &key, &c, BPF_ANY))
		goto fail;
	for (i = 0; i < o->n_ports; i++)
		if (bpf_map_update_elem(ports_fd, &o->excl_ports[i], &one,
					BPF_ANY))
			goto fail;
	for (i = 0; i < o->n_prefixes; i++)
		if (bpf_map_update_elem(prefixes_fd, &o->excl_prefixes[i], &one,
					BPF_ANY))
			goto fail;
	return 0;
fail:
	fprintf(stderr, "Error: writing policy maps: %s\n", strerror(errno));
	return -1;
}

static const char *const stat_names[TSMC_ST_MAX] = {
	[TSMC_ST_OPT_SENT_SYN]		= "opt_sent_syn",
	[TSMC_ST_OPT_SENT_SYNACK]	= "opt_sent_synack",
	[TSMC_ST_OPT_SENT_ACK]		= "opt_sent_ack",
	[TSMC_ST_NO_SPACE]		= "no_space",
	[TSMC_ST_EXCLUDED]		= "excluded",
	[TSMC_ST_NO_OPT]		= "no_opt",
	[TSMC_ST_MALFORMED]		= "malformed",
	[TSMC_ST_TAG_MISMATCH]		= "tag_mismatch",
	[TSMC_ST_CANDIDATE]		= "candidate",
	[TSMC_ST_DOORBELL_ERR]		= "doorbell_err",
	[TSMC_ST_NOMEM]			= "nomem",
};

static void print_prefix(const struct tsmc_prefix_key *k)
{
	static const __u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char buf[INET6_ADDRSTRLEN];

	if (k->prefixlen >= 96 && !memcmp(k->addr, v4mapped, 12)) {
		inet_ntop(AF_INET, &k->addr[12], buf, sizeof(buf));
		printf("exclude-prefix: %s/%u\n", buf, k->prefixlen - 96);
	} else {
		inet_ntop(AF_INET6, k->addr, buf, sizeof(buf));
		printf("exclude-prefix: %s/%u\n", buf, k->prefixlen);
	}
}

int policy_print(int config_fd, int ports_fd, int prefixes_fd, int stats_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tsmc_prefix_key pk, pnext;
	struct tsmc_bpf_config c;
	__u16 port, pnext16;
	__u32 key = 0, i;
	__u64 *vals;
	void *prev;
	int j;

	if (ncpu <= 0 || bpf_map_lookup_elem(config_fd, &key, &c)) {
		fprintf(stderr, "Error: reading config map: %s\n", strerror(errno));
		return -1;
	}
	printf("enabled: %u\ndomid: %u\nhost-tag: ", c.enabled, c.domid);
	for (j = 0; j < 8; j++)
		printf("%02x", c.host_tag[j]);
	printf("\ndoorbell: %s\n", doorbell_name(c.doorbell));
	for (prev = NULL; !bpf_map_get_next_key(ports_fd, prev, &pnext16);
	     prev = &port) {
		port = pnext16;
		printf("exclude-port: %u\n", port);
	}
	for (prev = NULL; !bpf_map_get_next_key(prefixes_fd, prev, &pnext);
	     prev = &pk) {
		pk = pnext;
		print_prefix(&pk);
	}
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	for (i = 0; i < TSMC_ST_MAX; i++) {
		__u64 sum = 0;

		if (bpf_map_lookup_elem(stats_fd, &i, vals))
			continue;
		for (j = 0; j < ncpu; j++)
			sum += vals[j];
		printf("stat %s: %llu\n", stat_names[i], (unsigned long long)sum);
	}
	free(vals);
	return 0;
}
