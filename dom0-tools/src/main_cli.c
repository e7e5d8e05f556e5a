// SPDX-License-Identifier: MIT
/* Global options, the command table and dispatch (xl/bpftool style). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xenctl.h"
#include "xs_paths.h"
#include "xsi_util.h"

static int cmd_help(struct xenctl *c, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "init", cmd_init, "[--rotate]",
	  "create the host identity once (--rotate replaces it)" },
	{ "enable", cmd_enable, "DOM [--max-conns N] [--ring-order N]",
	  "give DOM (name, domid or UUID) the host tag and settings" },
	{ "disable", cmd_disable, "DOM",
	  "withdraw the host tag and every pair of DOM" },
	{ "policy", cmd_policy,
	  "show | default allow|deny | allow|deny SPEC SPEC | auto-enable SPEC\n           | remove N | load FILE",
	  "pairing policy (SPEC = *, name:NAME or uuid:UUID)" },
	{ "status", cmd_status, "[DOM]",
	  "domains, module reports, pairs and grant budget" },
	{ "daemon", cmd_daemon, "[--once]",
	  "provision pairs as domains come and go (foreground)" },
	{ "help", cmd_help, "", "this text" },
	{ NULL, NULL, NULL, NULL },
};

static void vmsg(struct xenctl *c, const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (c->json && c->jw) {
		jsonw_start_object(c->jw);
		jsonw_string_field(c->jw, "error", buf);
		jsonw_end_object(c->jw);
	} else {
		fprintf(c->err, "%s%s\n", prefix, buf);
	}
}

void p_err(struct xenctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, "Error: ", fmt, ap);
	va_end(ap);
}

void p_info(struct xenctl *c, const char *fmt, ...)
{
	va_list ap;

	if (c->json)
		return;
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
}

struct xsi *xenctl_xs(struct xenctl *c)
{
	if (c->xs)
		return c->xs;
	errno = 0;
	c->xs = c->xs_connect(c->priv);
	if (!c->xs)
		p_err(c, "cannot connect to xenstored (%s); is this dom0 with xenstored running?",
		      strerror(errno ? errno : ECONNREFUSED));
	return c->xs;
}

int xenctl_bump_gen(struct xsi *x, xsi_tx tx)
{
	const struct xsi_perm dom0[] = { { 0, XSI_NONE } };
	int rc = xsi_mkdir_perms(x, tx, TSMC_XS_DOM0_ROOT, dom0, 1);

	return rc ? rc : xsi_bump_counter(x, tx, TSMC_XS_CONFIG_GEN, dom0, 1);
}

static void print_usage(struct xenctl *c, FILE *f)
{
	const struct cmd *k;

	fprintf(f, "Usage: tsmc-xenctl [-j|--json] [-p|--pretty] [--state-dir DIR] "
		   "[--policy FILE] COMMAND [ARGS]\n\nCommands:\n");
	for (k = cmds; k->name; k++)
		fprintf(f, "  %-8s %s\n           %s\n", k->name, k->args, k->desc);
	fprintf(f, "\nExit status: 0 success, 1 failure, 2 usage error.\n");
	(void)c;
}

int usage_of(struct xenctl *c, const char *name)
{
	const struct cmd *k;

	for (k = cmds; k->name; k++)
		if (strcmp(k->name, name) == 0 && !c->json)
			fprintf(c->err, "Usage: tsmc-xenctl %s %s\n", k->name, k->args);
	return EXIT_USAGE;
}

static int cmd_help(struct xenctl *c, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		p_err(c, "help takes no arguments");
		return EXIT_USAGE;
	}
	if (c->json)
		jsonw_null(c->jw);	/* bpftool: help in JSON mode is null */
	else
		print_usage(c, c->out);
	return EXIT_SUCCESS;
}

/* Exact name, or an unambiguous prefix (bpftool's is_prefix()). */
static const struct cmd *cmd_select(const char *name)
{
	const struct cmd *k, *hit = NULL;

	for (k = cmds; k->name; k++) {
		if (strcmp(k->name, name) == 0)
			return k;
		if (strncmp(k->name, name, strlen(name)) == 0) {
			if (hit)
				return NULL;
			hit = k;
		}
	}
	return hit;
}

int xenctl_main(struct xenctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *k;
	int opt, rc;

	if (!c->state_dir)
		c->state_dir = TSMC_STATE_DIR;
	if (!c->policy_path)
		c->policy_path = TSMC_POLICY_FILE;
	optind = 0;	/* 0: glibc re-initialises getopt for a new argv */
	opterr = 0;
	/* '+': stop at the command so its own options reach it. */
	while ((opt = getopt_long(argc, argv, "+jph", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c->json = true;
			break;
		case 'p':
			c->json = c->pretty = true;
			break;
		case 'h':
			print_usage(c, c->out);
			return EXIT_SUCCESS;
		case 'S':
			c->state_dir = optarg;
			break;
		case 'P':
			c->policy_path = optarg;
			break;
		default:
			fprintf(c->err, "Error: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			print_usage(c, c->err);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(c->err, "Error: no command given\n");
		print_usage(c, c->err);
		return EXIT_USAGE;
	}
	k = cmd_select(argv[optind]);
	if (c->json)
		c->jw = jsonw_new(c->out, c->pretty);
	if (!k) {
		p_err(c, "unknown or ambiguous command '%s' (try 'tsmc-xenctl help')",
		      argv[optind]);
		rc = EXIT_USAGE;
	} else {
		rc = k->fn(c, argc - optind, argv + optind);
	}
	if (c->jw)
		jsonw_destroy(&c->jw);
	fflush(c->out);
	if (c->xs) {
		c->xs->ops->close(c->xs);
		c->xs = NULL;
	}
	return rc;
}
