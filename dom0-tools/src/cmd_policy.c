// SPDX-License-Identifier: MIT
/* tsmc-xenctl policy show | default allow|deny | allow|deny SPEC SPEC |
 *                     auto-enable SPEC | remove N | load FILE */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "policy.h"
#include "xenctl.h"
#include "xsi_util.h"

static const char *const rule_kw[] = {
	[RULE_ALLOW] = "allow", [RULE_DENY] = "deny",
	[RULE_AUTO_ENABLE] = "auto-enable",
};

static int show(struct xenctl *c, const struct policy *p)
{
	char a[POLICY_NAME_MAX + 8], b[POLICY_NAME_MAX + 8];
	unsigned int i;

	if (c->json) {
		jsonw_start_object(c->jw);
		jsonw_string_field(c->jw, "file", c->policy_path);
		jsonw_string_field(c->jw, "default", p->default_allow ? "allow" : "deny");
		jsonw_name(c->jw, "rules");
		jsonw_start_array(c->jw);
		for (i = 0; i < p->nr; i++) {
			const struct policy_rule *r = &p->rule[i];

			jsonw_start_object(c->jw);
			jsonw_uint_field(c->jw, "index", i + 1);
			jsonw_string_field(c->jw, "action", rule_kw[r->kind]);
			jsonw_string_field(c->jw, "a", spec_str(&r->a, a, sizeof(a)));
			if (r->kind != RULE_AUTO_ENABLE)
				jsonw_string_field(c->jw, "b", spec_str(&r->b, b, sizeof(b)));
			jsonw_end_object(c->jw);
		}
		jsonw_end_array(c->jw);
		jsonw_end_object(c->jw);
		return EXIT_SUCCESS;
	}
	fprintf(c->out, "# %s\ndefault %s\n", c->policy_path,
		p->default_allow ? "allow" : "deny");
	for (i = 0; i < p->nr; i++) {
		const struct policy_rule *r = &p->rule[i];

		fprintf(c->out, "%3u  %-11s %s%s%s\n", i + 1, rule_kw[r->kind],
			spec_str(&r->a, a, sizeof(a)),
			r->kind == RULE_AUTO_ENABLE ? "" : " ",
			r->kind == RULE_AUTO_ENABLE ? "" : spec_str(&r->b, b, sizeof(b)));
	}
	return EXIT_SUCCESS;
}

static int bump_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	(void)arg;
	return xenctl_bump_gen(x, tx);
}

static int save(struct xenctl *c, const struct policy *p)
{
	char dir[4096];
	int rc;

	snprintf(dir, sizeof(dir), "%s", c->policy_path);
	rc = dir_ensure(dirname(dir), 0755);
	if (rc == 0)
		rc = policy_save(p, c->policy_path);
	if (rc) {
		p_err(c, "cannot write %s: %s", c->policy_path, strerror(-rc));
		return EXIT_FAILURE;
	}
	rc = xsi_transact(c->xs, bump_fn, NULL);
	if (rc) {
		p_err(c, "policy saved but the daemon was not notified: %s", strerror(-rc));
		return EXIT_FAILURE;
	}
	return c->json ? show(c, p) : EXIT_SUCCESS;
}

static int bad_spec(struct xenctl *c, const char *w)
{
	p_err(c, "bad domain spec '%s' (want *, name:NAME, uuid:UUID, NAME or UUID)", w);
	return usage_of(c, "policy");
}

int cmd_policy(struct xenctl *c, int argc, char **argv)
{
	static struct policy p;	/* large: keep it off the stack */
	char err[256];
	const char *sub = argc > 1 ? argv[1] : "show";
	struct policy_rule r;
	bool add = false;

	if (policy_load(&p, c->policy_path, err, sizeof(err))) {
		p_err(c, "policy file %s is malformed: %s", c->policy_path, err);
		return EXIT_FAILURE;
	}
	if (strcmp(sub, "show") == 0) {
		if (argc > 2) {
			p_err(c, "policy show takes no arguments");
			return usage_of(c, "policy");
		}
		return show(c, &p);
	}
	memset(&r, 0, sizeof(r));
	if (strcmp(sub, "default") == 0) {
		if (argc != 3 || (strcmp(argv[2], "allow") && strcmp(argv[2], "deny"))) {
			p_err(c, "policy default: expected 'allow' or 'deny'");
			return usage_of(c, "policy");
		}
		p.default_allow = strcmp(argv[2], "allow") == 0;
	} else if (strcmp(sub, "allow") == 0 || strcmp(sub, "deny") == 0) {
		if (argc != 4) {
			p_err(c, "policy %s: expected two domain specs", sub);
			return usage_of(c, "policy");
		}
		r.kind = sub[0] == 'a' ? RULE_ALLOW : RULE_DENY;
		add = true;
		if (spec_parse(&r.a, argv[2]))
			return bad_spec(c, argv[2]);
		if (spec_parse(&r.b, argv[3]))
			return bad_spec(c, argv[3]);
	} else if (strcmp(sub, "auto-enable") == 0) {
		if (argc != 3) {
			p_err(c, "policy auto-enable: expected one domain spec");
			return usage_of(c, "policy");
		}
		r.kind = RULE_AUTO_ENABLE;
		add = true;
		if (spec_parse(&r.a, argv[2]))
			return bad_spec(c, argv[2]);
	} else if (strcmp(sub, "remove") == 0) {
		char *end;
		unsigned long n = argc == 3 ? strtoul(argv[2], &end, 10) : 0;

		if (argc != 3 || *end || n < 1 || n > p.nr) {
			p_err(c, "policy remove: expected a rule number 1..%u", p.nr);
			return usage_of(c, "policy");
		}
		memmove(&p.rule[n - 1], &p.rule[n], (p.nr - n) * sizeof(p.rule[0]));
		p.nr--;
	} else if (strcmp(sub, "load") == 0) {
		char *text;
		int rc;

		if (argc != 3) {
			p_err(c, "policy load: expected a file");
			return usage_of(c, "policy");
		}
		rc = file_read_all(argv[2], &text, 64 * 1024);
		if (rc) {
			p_err(c, "cannot read %s: %s", argv[2], strerror(-rc));
			return EXIT_FAILURE;
		}
		rc = policy_parse(&p, text, err, sizeof(err));
		free(text);
		if (rc) {
			p_err(c, "%s: %s; policy unchanged", argv[2], err);
			return EXIT_FAILURE;
		}
	} else {
		p_err(c, "policy: unknown subcommand '%s'", sub);
		return usage_of(c, "policy");
	}
	if (add) {
		if (p.nr == POLICY_MAX_RULES) {
			p_err(c, "policy already has %u rules", POLICY_MAX_RULES);
			return EXIT_FAILURE;
		}
		p.rule[p.nr++] = r;
	}
	/* Check xenstored before touching the file: all or nothing. */
	if (!xenctl_xs(c))
		return EXIT_FAILURE;
	return save(c, &p);
}
