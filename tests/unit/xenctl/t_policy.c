// SPDX-License-Identifier: MIT
/* Policy parsing, matching and the policy command. */
#include <stdlib.h>

#include "harness.h"
#include "policy.h"
#include "xs_paths.h"

static struct policy pol;	/* large */

static int parse(const char *text, char *err)
{
	return policy_parse(&pol, text, err, 256);
}

static void t_parse_ok(void)
{
	char err[256] = "";

	CHECK(parse("", err) == 0);
	CHECK(!pol.default_allow && pol.nr == 0);
	CHECK(parse("# comment\n\n  default   allow  # trailing\r\n"
		    "allow name:web uuid:0A1B2C3D-0000-4000-8000-000000000007\n"
		    "deny * db\n"
		    "auto-enable *\n", err) == 0);
	CHECK(pol.default_allow);
	CHECK(pol.nr == 3);
	CHECK(pol.rule[0].kind == RULE_ALLOW && pol.rule[0].a.kind == SPEC_NAME);
	CHECK_STR(pol.rule[0].b.val, "0a1b2c3d-0000-4000-8000-000000000007");
	CHECK(pol.rule[1].a.kind == SPEC_ANY && pol.rule[1].b.kind == SPEC_NAME);
	CHECK(pol.rule[2].kind == RULE_AUTO_ENABLE);
}

static void t_parse_errors(void)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "default maybe\n", "line 1: expected 'default allow'" },
		{ "default allow\ndefault deny\n", "line 2: 'default' given twice" },
		{ "\n\npermit a b\n", "line 3: unknown statement" },
		{ "allow a\n", "line 1: expected 'allow|deny SPEC SPEC'" },
		{ "allow a b c\n", "line 1: expected 'allow|deny SPEC SPEC'" },
		{ "deny uuid:1234 b\n", "line 1: bad domain spec" },
		{ "allow name: b\n", "line 1: bad domain spec" },
		{ "auto-enable\n", "line 1: expected 'auto-enable SPEC'" },
		{ "allow aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b\n",
		  "line 1: bad domain spec" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(parse(bad[i].text, err) == -22);
		CHECK_HAS(err, bad[i].msg);
	}
}

static void t_matching(void)
{
	struct dom_ident web = { "web", "0a1b2c3d-0000-4000-8000-000000000001" };
	struct dom_ident db = { "db", "0a1b2c3d-0000-4000-8000-000000000002" };
	struct dom_ident other = { "other", NULL };
	struct dom_ident noname = { NULL, NULL };
	char err[256];

	CHECK(parse("default deny\n"
		    "deny name:web uuid:0a1b2c3d-0000-4000-8000-000000000002\n"
		    "allow web *\n"
		    "auto-enable uuid:0A1B2C3D-0000-4000-8000-000000000002\n", err) == 0);
	/* First match wins and rules are symmetric. */
	CHECK(!policy_pair_allowed(&pol, &web, &db));
	CHECK(!policy_pair_allowed(&pol, &db, &web));
	CHECK(policy_pair_allowed(&pol, &web, &other));
	CHECK(policy_pair_allowed(&pol, &other, &web));
	/* Default applies when nothing matches; unknown names never match. */
	CHECK(!policy_pair_allowed(&pol, &db, &other));
	CHECK(!policy_pair_allowed(&pol, &noname, &db));
	CHECK(policy_pair_allowed(&pol, &noname, &web));	/* web * */
	CHECK(policy_auto_enable(&pol, &db));
	CHECK(!policy_auto_enable(&pol, &web));
	CHECK(parse("default allow\ndeny db *\n", err) == 0);
	CHECK(!policy_pair_allowed(&pol, &other, &db));
	CHECK(policy_pair_allowed(&pol, &other, &web));
	CHECK(!policy_auto_enable(&pol, &other));
}

static void t_format_roundtrip(void)
{
	static struct policy again;
	char err[256], a[8192], b[8192];

	CHECK(parse("default allow\nallow x uuid:0a1b2c3d-0000-4000-8000-000000000002\n"
		    "deny * *\nauto-enable name:y\n", err) == 0);
	CHECK(policy_format(&pol, a, sizeof(a)) == 0);
	CHECK_STR(a, "default allow\nallow name:x uuid:0a1b2c3d-0000-4000-8000-000000000002\n"
		     "deny * *\nauto-enable name:y\n");
	CHECK(policy_parse(&again, a, err, sizeof(err)) == 0);
	CHECK(policy_format(&again, b, sizeof(b)) == 0);
	CHECK_STR(b, a);
	CHECK(policy_format(&pol, a, 20) != 0);	/* too small: refused, not cut */
}

static void t_policy_command(void)
{
	struct env e;

	env_init(&e);
	env_host(&e);
	CHECK(run(&e, "policy show") == 0);
	CHECK_HAS(e.out, "default deny");
	CHECK(run(&e, "policy default allow") == 0);
	CHECK(run(&e, "policy deny alpha beta") == 0);
	CHECK(run(&e, "policy allow * uuid:0a1b2c3d-0000-4000-8000-000000000009") == 0);
	CHECK(run(&e, "policy auto-enable name:gamma") == 0);
	CHECK_STR(read_file(e.policy), "default allow\ndeny name:alpha name:beta\n"
		  "allow * uuid:0a1b2c3d-0000-4000-8000-000000000009\nauto-enable name:gamma\n");
	CHECK_STR(fake_xs_get(e.xs, TSMC_XS_CONFIG_GEN), "4");
	CHECK(run(&e, "policy remove 2") == 0);
	CHECK(run(&e, "-j policy show") == 0);
	CHECK_HAS(e.out, "\"default\":\"allow\",\"rules\":[{\"index\":1,\"action\":\"deny\","
			 "\"a\":\"name:alpha\",\"b\":\"name:beta\"},{\"index\":2,"
			 "\"action\":\"auto-enable\",\"a\":\"name:gamma\"}]");
	CHECK(run(&e, "policy remove 3") == 2);
	env_fini(&e);
}

static void t_malformed_policy_file(void)
{
	struct env e;
	char path[400];
	const char *bad = "default allow\nallow alpha\n";

	env_init(&e);
	env_host(&e);
	CHECK(run(&e, "policy default deny") == 0);	/* creates etc/ */
	write_file(e.policy, bad);
	CHECK(run(&e, "policy show") == 1);
	CHECK_HAS(e.err, "is malformed: line 2: expected 'allow|deny SPEC SPEC'");
	CHECK(run(&e, "policy default allow") == 1);
	CHECK_STR(read_file(e.policy), bad);		/* left as it was */
	CHECK(run(&e, "daemon --once") == 1);
	CHECK_HAS(e.err, "malformed");
	/* policy load validates before installing. */
	snprintf(path, sizeof(path), "%s/new", e.dir);
	write_file(path, "default allow\nfrob\n");
	write_file(e.policy, "default deny\n");
	CHECK(run(&e, P("policy load %s", path)) == 1);
	CHECK_HAS(e.err, "line 2: unknown statement");
	CHECK_STR(read_file(e.policy), "default deny\n");
	write_file(path, "default allow\n");
	CHECK(run(&e, P("policy load %s", path)) == 0);
	CHECK_STR(read_file(e.policy), "default allow\n");
	env_fini(&e);
}

const struct test policy_tests[] = {
	{ "policy: parse comments, specs, uuid case", t_parse_ok },
	{ "policy: malformed lines give line number and reason", t_parse_errors },
	{ "policy: first match wins, symmetric, default, auto-enable", t_matching },
	{ "policy: format/parse round trip, no truncation", t_format_roundtrip },
	{ "policy: command edits file and bumps config-gen", t_policy_command },
	{ "policy: malformed file -> exit 1, nothing changed", t_malformed_policy_file },
	{ NULL, NULL },
};
