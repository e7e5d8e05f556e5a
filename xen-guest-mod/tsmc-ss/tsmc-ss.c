// SPDX-License-Identifier: MIT
/*
 * tsmc-ss: list the TCP connections tsmc_xen switched onto shared memory
 * rings (/proc/net/tsmc_xen), or with -s why others stayed on TCP
 * (/sys/kernel/tsmc_xen/{pairs,doorbell}).
 *
 * Everything is read and checked before anything is printed, so a parse
 * error never leaves a partial table behind.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conns.h"
#include "pairs.h"
#include "report.h"
#include "tss.h"

#define DEFAULT_PROC "/proc/net/tsmc_xen"
#define DEFAULT_SYS "/sys/kernel/tsmc_xen"

struct opts {
	int summary;
	int header;
	int help;
	long peer;
	const char *proc;
	const char *sys;
};

static const char usage_text[] =
	"Usage: tsmc-ss [-H] [-p DOMID] [--proc FILE]\n"
	"       tsmc-ss -s [-p DOMID] [--sys DIR]\n"
	"List TCP connections switched to Xen shared memory by tsmc_xen.\n"
	"\n"
	"  -s, --summary       per pair channel: state, switched connections\n"
	"                      and why connections fell back to TCP\n"
	"  -H, --no-header     no column header line\n"
	"  -p, --peer DOMID    only the peer domain DOMID\n"
	"      --proc FILE     connections file (default " DEFAULT_PROC ")\n"
	"      --sys DIR       module sysfs directory (default " DEFAULT_SYS
	")\n"
	"  -h, --help          this text\n"
	"\n"
	"Tx-Fill and Rx-Fill are bytes queued in the ring / ring size.\n"
	"Exit status: 0 ok, 1 module not loaded or read error,\n"
	"2 usage error or unparsable input.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("tsmc-ss: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'tsmc-ss --help' for more information.\n", stderr);
	return TSS_BAD;
}

/* A domid: plain decimal digits, 0..65535. */
static int parse_domid(const char *s, long *out)
{
	size_t n = strspn(s, "0123456789");
	unsigned long v;

	if (!n || s[n] || n > 5)
		return -1;
	v = strtoul(s, NULL, 10);
	if (v > TSS_DOMID_MAX)
		return -1;
	*out = (long)v;
	return 0;
}

/*
 * The option getopt_long() just refused: a long one as written (optopt
 * may hold its short twin), a short one from optopt (argv[optind - 1]
 * may be a whole cluster such as -sX).
 */
static const char *bad_option(char **argv, char *buf, size_t size)
{
	const char *arg = argv[optind - 1];

	if (!strncmp(arg, "--", 2) || !optopt)
		return arg;
	snprintf(buf, size, "-%c", optopt);
	return buf;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_PROC = 256, OPT_SYS };
	static const struct option longopts[] = {
		{ "summary", no_argument, NULL, 's' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "peer", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ "sys", required_argument, NULL, OPT_SYS },
		{ NULL, 0, NULL, 0 },
	};
	char buf[8];
	int c;

	*o = (struct opts){ .header = 1, .peer = TSS_ALL_PEERS,
			    .proc = DEFAULT_PROC, .sys = DEFAULT_SYS };
	opterr = 0;	/* our own messages, without argv[0]'s path */
	while ((c = getopt_long(argc, argv, ":sHp:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->summary = 1; break;
		case 'H': o->header = 0; break;
		case 'h': o->help = 1; break;
		case OPT_PROC: o->proc = optarg; break;
		case OPT_SYS: o->sys = optarg; break;
		case 'p':
			if (parse_domid(optarg, &o->peer))
				return usage_error("bad domid '%s'", optarg);
			break;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("bad option '%s'",
					   bad_option(argv, buf, sizeof(buf)));
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return TSS_OK;
}

static int run_conns(const struct opts *o)
{
	struct conn_list list;
	int rc = conns_load(o->proc, o->peer, &list);

	if (rc == TSS_OK)
		rc = report_conns(stdout, &list, o->header);
	conns_free(&list);
	return rc;
}

/* dir/name in a new string, or NULL with a message. */
static char *path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0) {
		fprintf(stderr, "tsmc-ss: out of memory\n");
		return NULL;
	}
	return p;
}

static int run_summary(const struct opts *o)
{
	struct pair_list pairs = { 0 };
	struct doorbell db;
	char *pairs_path = path_join(o->sys, "pairs");
	char *db_path = path_join(o->sys, "doorbell");
	int rc = TSS_FAIL;

	if (pairs_path && db_path)
		rc = pairs_load(pairs_path, o->peer, &pairs);
	if (rc == TSS_OK)
		rc = doorbell_load(db_path, &db);
	if (rc == TSS_OK)
		rc = report_summary(stdout, &pairs, &db);
	pairs_free(&pairs);
	free(pairs_path);
	free(db_path);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_args(argc, argv, &o);

	if (rc)
		return rc;
	if (o.help)
		fputs(usage_text, stdout);
	else
		rc = o.summary ? run_summary(&o) : run_conns(&o);
	/* A full disk or closed pipe must not look like success. */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "tsmc-ss: write error: %s\n", strerror(errno));
		if (rc == TSS_OK)
			rc = TSS_FAIL;
	}
	return rc;
}
