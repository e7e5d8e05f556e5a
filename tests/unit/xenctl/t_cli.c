// SPDX-License-Identifier: MIT
/* Argument parsing, exit codes, init, enable/disable, bad input. */
#include <stdlib.h>

#include "harness.h"
#include "xs_paths.h"

static void t_usage_exit_codes(void)
{
	struct env e;

	env_init(&e);
	CHECK(run(&e, "") == 2);
	CHECK_HAS(e.err, "no command");
	CHECK(run(&e, "bogus") == 2);
	CHECK_HAS(e.err, "unknown or ambiguous command 'bogus'");
	CHECK(run(&e, "d") == 2);		/* disable or daemon */
	CHECK(run(&e, "--frobnicate status") == 2);
	CHECK(run(&e, "--help") == 0);
	CHECK_HAS(e.out, "Usage: tsmc-xenctl");
	CHECK(run(&e, "help") == 0);
	CHECK_HAS(e.out, "daemon");
	CHECK(run(&e, "help extra") == 2);
	CHECK(run(&e, "enable") == 2);
	CHECK_HAS(e.err, "Usage: tsmc-xenctl enable");
	CHECK(run(&e, "enable a b") == 2);
	CHECK(run(&e, "enable --max-conns 0 alpha") == 2);
	CHECK_HAS(e.err, "--max-conns must be 1..65536");
	CHECK(run(&e, "enable --ring-order 21 alpha") == 2);
	CHECK(run(&e, "enable --ring-order 1x alpha") == 2);
	CHECK(run(&e, "enable --bogus alpha") == 2);
	CHECK(run(&e, "disable") == 2);
	CHECK(run(&e, "disable a b") == 2);
	CHECK(run(&e, "status a b") == 2);
	CHECK(run(&e, "init now") == 2);
	CHECK(run(&e, "init --force") == 2);
	CHECK(run(&e, "daemon --forever") == 2);
	CHECK(run(&e, "policy frob") == 2);
	CHECK(run(&e, "policy allow alpha") == 2);
	CHECK(run(&e, "policy allow alpha bad#name") == 2);
	CHECK(run(&e, "policy default maybe") == 2);
	CHECK(run(&e, "policy remove 1") == 2);	/* no rules yet */
	/* No usage error touched xenstore. */
	CHECK(e.xs->ops == 0);
	env_fini(&e);
}

static void t_prefix_and_json_errors(void)
{
	struct env e;

	env_init(&e);
	env_host(&e);
	CHECK(run(&e, "stat") == 0);		/* unambiguous prefix of status */
	CHECK_HAS(e.out, "domain 3 alpha");
	CHECK(run(&e, "-j bogus") == 2);
	CHECK_HAS(e.out, "{\"error\":\"unknown or ambiguous command 'bogus'");
	CHECK(run(&e, "--json help") == 0);
	CHECK_STR(e.out, "null\n");
	env_fini(&e);
}

static void t_xenstored_absent(void)
{
	struct env e;

	env_init(&e);
	CHECK(run(&e, "init") == 0);		/* init needs no xenstore */
	e.xenstored_absent = true;
	fake_xs_add_domain(e.xs, 3, "alpha", uuid_of(3));
	CHECK(run(&e, "enable alpha") == 1);
	CHECK_HAS(e.err, "cannot connect to xenstored");
	CHECK(run(&e, "status") == 1);
	CHECK(run(&e, "daemon --once") == 1);
	CHECK(run(&e, "policy default allow") == 1);
	/* The policy file was not written: all or nothing. */
	CHECK(read_file(e.policy) == NULL);
	CHECK(run(&e, "init --rotate") == 1);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_GUEST_DIR, 3)) == NULL);
	env_fini(&e);
}

static void t_init_once_and_rotate(void)
{
	struct env e;
	char first[32], path[400];
	const char *t;

	env_init(&e);
	CHECK(run(&e, "init") == 0);
	CHECK_HAS(e.out, "created");
	snprintf(path, sizeof(path), "%s/host-tag", e.state_dir);
	t = read_file(path);
	CHECK(t && strlen(t) == 17 && t[16] == '\n');
	CHECK(t && strspn(t, "0123456789abcdef") == 16);
	snprintf(first, sizeof(first), "%s", t ? t : "");
	CHECK(run(&e, "init") == 0);
	CHECK_HAS(e.out, "already initialised");
	CHECK_STR(read_file(path), first);	/* survives a second init */
	fake_xs_add_domain(e.xs, 3, "alpha", uuid_of(3));
	fake_xs_add_domain(e.xs, 7, "beta", uuid_of(7));
	CHECK(run(&e, "enable alpha") == 0);
	CHECK(run(&e, "-j init --rotate") == 0);
	CHECK_HAS(e.out, "\"rotated\":true");
	t = read_file(path);
	CHECK(t && strcmp(t, first) != 0);
	/* Enabled guest re-tagged, the never-enabled one left alone. */
	CHECK(t && strncmp(fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 3)), t, 16) == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 7)) == NULL);
	write_file(path, "not-a-tag\n");
	CHECK(run(&e, "init") == 1);
	CHECK_HAS(e.err, "init --rotate");
	env_fini(&e);
}

static void t_enable_writes_area(void)
{
	struct env e;
	char perms[64], path[400];
	const char *tag;

	env_init(&e);
	fake_xs_add_domain(e.xs, 3, "alpha", uuid_of(3));
	CHECK(run(&e, "enable alpha") == 1);
	CHECK_HAS(e.err, "run 'tsmc-xenctl init' first");
	env_host(&e);
	CHECK(run(&e, "enable --max-conns 100 --ring-order 12 alpha") == 0);
	CHECK_HAS(e.out, "domain 3 (alpha) enabled");
	snprintf(path, sizeof(path), "%s/host-tag", e.state_dir);
	tag = read_file(path);
	CHECK(tag && strncmp(fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 3)), tag, 16) == 0);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 3)), "1");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_MAX_CONNS, 3)), "100");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_RING_ORDER, 3)), "12");
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_GUEST_DIR, 3), perms, sizeof(perms)), "n0,r3");
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_HOST_TAG, 3), perms, sizeof(perms)), "n0,r3");
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_PEERS_DIR, 3), perms, sizeof(perms)), "n0,r3");
	/* Readable by the guest only; writable by nobody but dom0. */
	CHECK(fake_xs_can(e.xs, 3, P(TSMC_XS_HOST_TAG, 3), XSI_READ));
	CHECK(!fake_xs_can(e.xs, 3, P(TSMC_XS_HOST_TAG, 3), XSI_WRITE));
	CHECK(!fake_xs_can(e.xs, 7, P(TSMC_XS_HOST_TAG, 3), XSI_READ));
	CHECK_STR(fake_xs_get(e.xs, TSMC_XS_CONFIG_GEN), "1");
	/* By domid and by UUID (any case), JSON output. */
	CHECK(run(&e, "-j enable 7") == 0);
	CHECK_HAS(e.out, "{\"domid\":7,\"name\":\"beta\",\"enabled\":true}");
	CHECK(run(&e, P("enable %s", "0A1B2C3D-0000-4000-8000-000000000009")) == 0);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 9)), "1");
	CHECK_STR(fake_xs_get(e.xs, TSMC_XS_CONFIG_GEN), "3");
	env_fini(&e);
}

static void t_enable_bad_domain_changes_nothing(void)
{
	struct env e;
	char *before;

	env_init(&e);
	env_host(&e);
	before = fake_xs_dump(e.xs);
	CHECK(run(&e, "enable nosuch") == 1);
	CHECK_HAS(e.err, "no such domain: 'nosuch'");
	CHECK(run(&e, "enable 42") == 1);
	CHECK(run(&e, "enable 0") == 1);
	CHECK_HAS(e.err, "dom0");
	CHECK(run(&e, "enable 007") == 1);	/* not a domid, and no such name */
	fake_xs_add_domain(e.xs, 11, "alpha", uuid_of(11));
	free(before);
	before = fake_xs_dump(e.xs);
	CHECK(run(&e, "enable alpha") == 1);
	CHECK_HAS(e.err, "not unique");
	/* Dead domain: xenstored forgot it though its home is still there. */
	e.xs->dead[e.xs->ndead++] = 9;
	CHECK(run(&e, "enable 9") == 1);
	{
		char *after = fake_xs_dump(e.xs);

		CHECK_STR(after, before);
		free(after);
	}
	free(before);
	env_fini(&e);
}

static void t_interrupted_transaction(void)
{
	struct env e;
	char *before, *after;

	env_init(&e);
	env_host(&e);
	before = fake_xs_dump(e.xs);
	/* Fail the 4th write of the transaction: nothing may land. */
	e.xs->fail_ops_after = 3;
	CHECK(run(&e, "enable alpha") == 1);
	CHECK_HAS(e.err, "nothing changed");
	after = fake_xs_dump(e.xs);
	CHECK_STR(after, before);
	free(after);
	CHECK(e.xs->aborts == 1);
	/* Lost races are retried: 3 EAGAIN commits, then success. */
	e.xs->fail_ops_after = -1;
	e.xs->eagain_commits = 3;
	CHECK(run(&e, "enable alpha") == 0);
	CHECK(e.xs->commits == 1);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 3)), "1");
	/* A transaction that never commits gives up with an error. */
	free(before);
	before = fake_xs_dump(e.xs);
	e.xs->eagain_commits = 1000;
	CHECK(run(&e, "enable beta") == 1);
	after = fake_xs_dump(e.xs);
	CHECK_STR(after, before);
	free(after);
	free(before);
	env_fini(&e);
}

static void t_disable(void)
{
	struct env e;

	env_init(&e);
	env_host(&e);
	CHECK(run(&e, "policy default allow") == 0);
	CHECK(run(&e, "enable alpha") == 0);
	CHECK(run(&e, "enable beta") == 0);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) != NULL);
	CHECK(run(&e, "disable beta") == 0);
	CHECK_HAS(e.out, "domain 7 (beta) disabled");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 7)), "0");
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_SETTINGS_DIR, 7)) == NULL);
	/* The pair and both pointers went in the same transaction. */
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 3, 7)) == NULL);
	/* The daemon honours the explicit disable. */
	CHECK(run(&e, "policy auto-enable *") == 0);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 7)), "0");
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) == NULL);
	env_fini(&e);
}

static void t_status_report(void)
{
	struct env e;

	env_init(&e);
	env_host(&e);
	CHECK(run(&e, "policy default allow") == 0);
	CHECK(run(&e, "enable alpha") == 0);
	CHECK(run(&e, "enable beta") == 0);
	CHECK(run(&e, "daemon --once") == 0);
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/version", "0.1.0", "n3");
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/wire-version", "1", "n3");
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/state", "ready", "n3");
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/doorbell", "cong", "n3");
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/conns", "5", "n3");
	fake_xs_set(e.xs, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 3), "4", NULL);
	CHECK(run(&e, "status alpha") == 0);
	CHECK_HAS(e.out, "module:   version 0.1.0, wire 1, state ready, doorbell cong, conns 5\n");
	CHECK_HAS(e.out, "pair:     peer 7, server, connected / peer initialising");
	CHECK_HAS(e.out, "grants:   4 of 64 frames in use; tsmc may need 19 more");
	CHECK(!strstr(e.out, "WARNING"));
	e.grants.max_frames = 16;
	CHECK(run(&e, "status alpha") == 0);
	CHECK_HAS(e.out, "WARNING:  max_grant_frames 16 too small");
	CHECK(run(&e, "-j status 7") == 0);
	CHECK_HAS(e.out, "\"pairs\":[{\"peer\":3,\"role\":\"client\",\"state\":\"initialising\",\"peer_state\":\"connected\"}]");
	CHECK_HAS(e.out, "\"too_small\":true");
	e.grant_rc = -13;
	CHECK(run(&e, "status gamma") == 0);
	CHECK_HAS(e.out, "grants:   unknown (Permission denied)");
	CHECK_HAS(e.out, "enabled:  no");
	CHECK(run(&e, "status nosuch") == 1);
	env_fini(&e);
}

static void t_status_guest_garbage(void)
{
	struct env e;
	char big[300];

	env_init(&e);
	env_host(&e);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fake_xs_set(e.xs, "/local/domain/9/data/tsmc/version", big, "n9");
	fake_xs_set(e.xs, "/local/domain/9/data/tsmc/state", "\x1b[31mowned", "n9");
	fake_xs_set(e.xs, "/local/domain/9/data/tsmc/conns", "-5", "n9");
	fake_xs_set(e.xs, "/local/domain/9/data/tsmc/wire-version", "99999999999999", "n9");
	fake_xs_set(e.xs, "/local/domain/9/data/tsmc/doorbell", "kfunc", "n9");
	CHECK(run(&e, "status gamma") == 0);
	CHECK_HAS(e.out, "version ?, wire -1, state ?, doorbell kfunc, conns -1 (report has invalid fields)");
	CHECK(!strstr(e.out, "\x1b"));
	CHECK(run(&e, "-j status gamma") == 0);
	CHECK_HAS(e.out, "\"invalid_report\":true");
	env_fini(&e);
}

const struct test cli_tests[] = {
	{ "cli: usage errors exit 2 before touching xenstore", t_usage_exit_codes },
	{ "cli: command prefixes, JSON errors, JSON help", t_prefix_and_json_errors },
	{ "cli: xenstored absent -> exit 1, nothing written", t_xenstored_absent },
	{ "init: once, survives re-run, --rotate re-tags, corrupt file", t_init_once_and_rotate },
	{ "enable: area, perms, by name/domid/uuid, config-gen", t_enable_writes_area },
	{ "enable: unknown/ambiguous/dom0/dead domain changes nothing", t_enable_bad_domain_changes_nothing },
	{ "xenstore: failed op aborts, EAGAIN retried, endless EAGAIN fails", t_interrupted_transaction },
	{ "disable: sticky, removes pairs and pointers", t_disable },
	{ "status: module report, pairs, grant budget warning, JSON", t_status_report },
	{ "status: guest garbage shown as invalid, never echoed", t_status_guest_garbage },
	{ NULL, NULL },
};
