// SPDX-License-Identifier: GPL-2.0
/*
 * tsmc-bpf: load the tsmc sockops program, attach it to a cgroup v2 and
 * pin it under /sys/fs/bpf/tsmc/; --detach, --update and --status act on
 * the pinned instance. Exit 0 on success, 1 on failure, 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "loader.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tsmc-bpf [attach options]       load, attach, pin\n"
"       tsmc-bpf --detach [--pin-dir DIR]\n"
"       tsmc-bpf --update [--enable|--disable] [--domid N --host-tag HEX]\n"
"                         [--exclude-port P]... [--exclude-prefix CIDR]...\n"
"       tsmc-bpf --status [--pin-dir DIR]\n"
"Attach options:\n"
"  --cgroup DIR        cgroup v2 directory (default: cgroup2 mount root)\n"
"  --pin-dir DIR       pin directory (default " TSMC_PIN_DIR_DEFAULT ")\n"
"  --domid N           own domid (default: xenstore 'domid')\n"
"  --host-tag HEX      16 hex chars (default: xenstore tsmc/host-tag)\n"
"  --doorbell MODE     auto (default), kfunc, cc or ringbuf\n"
"  --exclude-port P    never offer for this service port (repeatable)\n"
"  --exclude-prefix C  never offer to peers in ADDR/LEN (repeatable)\n"
"  --disable           attach with the global switch off\n");
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !getenv("TSMC_BPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

enum { O_DETACH = 256, O_UPDATE, O_STATUS, O_CGROUP, O_PIN, O_DOMID, O_TAG,
       O_DOORBELL, O_XPORT, O_XPREFIX, O_ENABLE, O_DISABLE };

static const struct option longopts[] = {
	{ "detach", no_argument, NULL, O_DETACH },
	{ "update", no_argument, NULL, O_UPDATE },
	{ "status", no_argument, NULL, O_STATUS },
	{ "cgroup", required_argument, NULL, O_CGROUP },
	{ "pin-dir", required_argument, NULL, O_PIN },
	{ "domid", required_argument, NULL, O_DOMID },
	{ "host-tag", required_argument, NULL, O_TAG },
	{ "doorbell", required_argument, NULL, O_DOORBELL },
	{ "exclude-port", required_argument, NULL, O_XPORT },
	{ "exclude-prefix", required_argument, NULL, O_XPREFIX },
	{ "enable", no_argument, NULL, O_ENABLE },
	{ "disable", no_argument, NULL, O_DISABLE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 0 ok, 1 help printed, -1 bad usage */
static int parse_args(int argc, char **argv, struct loader_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->cmd = CMD_ATTACH;
	o->pin_dir = TSMC_PIN_DIR_DEFAULT;
	o->doorbell = -1;
	o->enabled = -1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_DETACH: o->cmd = CMD_DETACH; break;
		case O_UPDATE: o->cmd = CMD_UPDATE; break;
		case O_STATUS: o->cmd = CMD_STATUS; break;
		case O_CGROUP: o->cgroup = optarg; break;
		case O_PIN: o->pin_dir = optarg; break;
		case O_ENABLE: o->enabled = 1; break;
		case O_DISABLE: o->enabled = 0; break;
		case O_DOMID:
			if (parse_domid(optarg, &o->domid))
				return -1;
			o->have_domid = true;
			break;
		case O_TAG:
			if (parse_host_tag(optarg, o->host_tag))
				return -1;
			o->have_tag = true;
			break;
		case O_DOORBELL:
			o->doorbell = doorbell_parse(optarg);
			if (o->doorbell < -1)
				return -1;
			break;
		case O_XPORT:
			if (o->n_ports == LOADER_MAX_EXCL) {
				fprintf(stderr, "Error: more than %d ports\n",
					LOADER_MAX_EXCL);
				return -1;
			}
			if (parse_port(optarg, &o->excl_ports[o->n_ports++]))
				return -1;
			break;
		case O_XPREFIX:
			if (o->n_prefixes == LOADER_MAX_EXCL) {
				fprintf(stderr, "Error: more than %d prefixes\n",
					LOADER_MAX_EXCL);
				return -1;
			}
			if (parse_prefix(optarg,
					 &o->excl_prefixes[o->n_prefixes++]))
				return -1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Error: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->pin_dir[0] != '/') {
		fprintf(stderr, "Error: --pin-dir must be an absolute path\n");
		return -1;
	}
	if (o->cmd == CMD_UPDATE && o->have_domid != o->have_tag) {
		fprintf(stderr, "Error: --update needs --domid and --host-tag "
			"together\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct loader_opts o;
	int err;

	err = parse_args(argc, argv, &o);
	if (err) {
		if (err < 0)
			usage(stderr);
		return err < 0 ? 2 : 0;
	}
	libbpf_set_print(libbpf_quiet);
	switch (o.cmd) {
	case CMD_DETACH:
		err = cmd_detach(&o);
		break;
	case CMD_UPDATE:
		err = cmd_update(&o);
		break;
	case CMD_STATUS:
		err = cmd_status(&o);
		break;
	default:
		err = cmd_attach(&o);
		break;
	}
	return err ? 1 : 0;
}
