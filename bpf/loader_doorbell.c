// SPDX-License-Identifier: GPL-2.0
/*
 * Which doorbell the running kernel offers, found by looking, never by
 * version number: the module's kfunc in its BTF, or its congestion
 * control among the registered ones. Ring buffer otherwise.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <tsmc_xen/doorbell.h>
#include "loader.h"

bool doorbell_kfunc_available(void)
{
	struct btf *vmlinux, *mod;
	bool found;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	mod = btf__parse_split("/sys/kernel/btf/" TSMC_DOORBELL_MODULE, vmlinux);
	found = mod && btf__find_by_name_kind(mod, TSMC_DOORBELL_KFUNC,
					      BTF_KIND_FUNC) > 0;
	btf__free(mod);
	btf__free(vmlinux);
	return found;
}

bool doorbell_cc_available(void)
{
	char buf[1024], *tok, *save = NULL;
	FILE *f;
	bool found = false;

	f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, " \n", &save); tok && !found;
		     tok = strtok_r(NULL, " \n", &save))
			found = strcmp(tok, TSMC_DOORBELL_CC) == 0;
	fclose(f);
	return found;
}

static const char *const names[] = {
	[TSMC_DB_RINGBUF]	= "ringbuf",
	[TSMC_DB_CC]		= "cc",
	[TSMC_DB_KFUNC]		= "kfunc",
};

const char *doorbell_name(int mode)
{
	if (mode < 0 || mode > TSMC_DB_KFUNC)
		return "?";
	return names[mode];
}

/* "auto" is -1; an unknown name is -2. */
int doorbell_parse(const char *s)
{
	int i;

	if (strcmp(s, "auto") == 0)
		return -1;
	for (i = 0; i <= TSMC_DB_KFUNC; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	fprintf(stderr, "Error: bad doorbell '%s': want auto, kfunc, cc or "
		"ringbuf\n", s);
	return -2;
}
