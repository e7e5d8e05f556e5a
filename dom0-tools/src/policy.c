// SPDX-License-Identifier: MIT
/* Pairing policy: parse, match, format. Pure logic, no xenstore. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->default_allow = false;	/* nothing pairs until allowed */
}

bool uuid_valid(const char *s)
{
	static const char pat[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (i = 0; pat[i]; i++) {
		if (pat[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Domain names as libxl accepts them are printable; we also refuse
 * characters that would break the one-line-per-rule file format. */
static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > POLICY_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == '#')
			return false;
	return true;
}

int spec_parse(struct dom_spec *s, const char *w)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (strcmp(w, "*") == 0) {
		s->kind = SPEC_ANY;
		return 0;
	}
	if (strncmp(w, "uuid:", 5) == 0 || (strncmp(w, "name:", 5) && uuid_valid(w))) {
		const char *u = strncmp(w, "uuid:", 5) == 0 ? w + 5 : w;

		if (!uuid_valid(u))
			return -EINVAL;
		s->kind = SPEC_UUID;
		for (i = 0; u[i]; i++)
			s->val[i] = (char)tolower((unsigned char)u[i]);
		return 0;
	}
	if (strncmp(w, "name:", 5) == 0)
		w += 5;
	if (!name_valid(w))
		return -EINVAL;
	s->kind = SPEC_NAME;
	strcpy(s->val, w);
	return 0;
}

const char *spec_str(const struct dom_spec *s, char *buf, size_t size)
{
	switch (s->kind) {
	case SPEC_ANY:
		snprintf(buf, size, "*");
		break;
	case SPEC_NAME:
		snprintf(buf, size, "name:%s", s->val);
		break;
	case SPEC_UUID:
		snprintf(buf, size, "uuid:%s", s->val);
		break;
	}
	return buf;
}

bool spec_matches(const struct dom_spec *s, const struct dom_ident *d)
{
	switch (s->kind) {
	case SPEC_ANY:
		return true;
	case SPEC_NAME:
		return d->name && strcmp(d->name, s->val) == 0;
	case SPEC_UUID:
		return d->uuid && strcasecmp(d->uuid, s->val) == 0;
	}
	return false;
}

bool policy_pair_allowed(const struct policy *p, const struct dom_ident *a,
			 const struct dom_ident *b)
{
	unsigned int i;

	for (i = 0; i < p->nr; i++) {
		const struct policy_rule *r = &p->rule[i];

		if (r->kind == RULE_AUTO_ENABLE)
			continue;
		if ((spec_matches(&r->a, a) && spec_matches(&r->b, b)) ||
		    (spec_matches(&r->a, b) && spec_matches(&r->b, a)))
			return r->kind == RULE_ALLOW;
	}
	return p->default_allow;
}

bool policy_auto_enable(const struct policy *p, const struct dom_ident *d)
{
	unsigned int i;

	for (i = 0; i < p->nr; i++)
		if (p->rule[i].kind == RULE_AUTO_ENABLE &&
		    spec_matches(&p->rule[i].a, d))
			return true;
	return false;
}

#define MAX_WORDS 4

static int split(char *line, char **w)
{
	int n = 0;
	char *tok, *save;

	for (tok = strtok_r(line, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == MAX_WORDS)
			return MAX_WORDS + 1;
		w[n++] = tok;
	}
	return n;
}

static int parse_line(struct policy *p, char *line, bool *seen_default,
		      const char **why)
{
	char *w[MAX_WORDS];
	char *hash = strchr(line, '#');
	struct policy_rule r;
	int n;

	if (hash)
		*hash = '\0';
	n = split(line, w);
	if (n == 0)
		return 0;
	if (strcmp(w[0], "default") == 0) {
		if (n != 2 || (strcmp(w[1], "allow") && strcmp(w[1], "deny")))
			return *why = "expected 'default allow' or 'default deny'", -EINVAL;
		if (*seen_default)
			return *why = "'default' given twice", -EINVAL;
		*seen_default = true;
		p->default_allow = strcmp(w[1], "allow") == 0;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	if (strcmp(w[0], "auto-enable") == 0) {
		if (n != 2)
			return *why = "expected 'auto-enable SPEC'", -EINVAL;
		r.kind = RULE_AUTO_ENABLE;
		if (spec_parse(&r.a, w[1]))
			return *why = "bad domain spec (want *, name:NAME or uuid:UUID)", -EINVAL;
	} else if (strcmp(w[0], "allow") == 0 || strcmp(w[0], "deny") == 0) {
		if (n != 3)
			return *why = "expected 'allow|deny SPEC SPEC'", -EINVAL;
		r.kind = w[0][0] == 'a' ? RULE_ALLOW : RULE_DENY;
		if (spec_parse(&r.a, w[1]) || spec_parse(&r.b, w[2]))
			return *why = "bad domain spec (want *, name:NAME or uuid:UUID)", -EINVAL;
	} else {
		return *why = "unknown statement (want default, auto-enable, allow, deny)", -EINVAL;
	}
	if (p->nr == POLICY_MAX_RULES)
		return *why = "too many rules", -EINVAL;
	p->rule[p->nr++] = r;
	return 0;
}

int policy_parse(struct policy *p, const char *text, char *err, size_t errlen)
{
	char line[512];
	bool seen_default = false;
	unsigned int lineno = 0;
	const char *s = text, *why = NULL;

	policy_init(p);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "line %u: too long", lineno);
			return -EINVAL;
		}
		memcpy(line, s, len);
		line[len] = '\0';
		if (memchr(s, '\0', len) || parse_line(p, line, &seen_default, &why)) {
			snprintf(err, errlen, "line %u: %s", lineno,
				 why ? why : "embedded NUL");
			return -EINVAL;
		}
		s += len + (nl ? 1 : 0);
	}
	return 0;
}

int policy_format(const struct policy *p, char *buf, size_t size)
{
	static const char *const kw[] = {
		[RULE_ALLOW] = "allow", [RULE_DENY] = "deny",
		[RULE_AUTO_ENABLE] = "auto-enable",
	};
	char a[POLICY_NAME_MAX + 8], b[POLICY_NAME_MAX + 8];
	size_t off = 0;
	unsigned int i;
	int n;

	n = snprintf(buf, size, "default %s\n", p->default_allow ? "allow" : "deny");
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	off = (size_t)n;
	for (i = 0; i < p->nr; i++) {
		const struct policy_rule *r = &p->rule[i];

		if (r->kind == RULE_AUTO_ENABLE)
			n = snprintf(buf + off, size - off, "%s %s\n", kw[r->kind],
				     spec_str(&r->a, a, sizeof(a)));
		else
			n = snprintf(buf + off, size - off, "%s %s %s\n", kw[r->kind],
				     spec_str(&r->a, a, sizeof(a)),
				     spec_str(&r->b, b, sizeof(b)));
		if (n < 0 || (size_t)n >= size - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return 0;
}
