/* SPDX-License-Identifier: MIT */
/*
 * Pairing policy: which enabled domains may pair, which new domains the
 * daemon enables. Rules name domains by name or UUID (stable across reboot
 * and migration), never by domid. Text format, one statement per line:
 *
 *   default allow|deny
 *   auto-enable SPEC
 *   allow SPEC SPEC
 *   deny SPEC SPEC
 *
 * SPEC = '*' | name:NAME | uuid:UUID | NAME | UUID. '#' starts a comment.
 * Pair rules are symmetric; the first matching one wins, else the default.
 */
#ifndef TSMC_POLICY_H
#define TSMC_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define POLICY_MAX_RULES 256
#define POLICY_NAME_MAX 64		/* longer than any xl domain name */

enum spec_kind { SPEC_ANY, SPEC_NAME, SPEC_UUID };

struct dom_spec {
	enum spec_kind kind;
	char val[POLICY_NAME_MAX + 1];
};

enum rule_kind { RULE_ALLOW, RULE_DENY, RULE_AUTO_ENABLE };

struct policy_rule {
	enum rule_kind kind;
	struct dom_spec a, b;		/* b unused for RULE_AUTO_ENABLE */
};

struct policy {
	bool default_allow;
	unsigned int nr;
	struct policy_rule rule[POLICY_MAX_RULES];
};

/* Identity of a running domain as the policy sees it. */
struct dom_ident {
	const char *name;		/* may be NULL if unknown */
	const char *uuid;		/* lowercase canonical, may be NULL */
};

void policy_init(struct policy *p);
/* Parse text; on error returns -EINVAL and writes "line N: why" to err. */
int policy_parse(struct policy *p, const char *text, char *err, size_t errlen);
/* Parse one SPEC word. */
int spec_parse(struct dom_spec *s, const char *word);
bool uuid_valid(const char *s);
bool spec_matches(const struct dom_spec *s, const struct dom_ident *d);
bool policy_pair_allowed(const struct policy *p, const struct dom_ident *a,
			 const struct dom_ident *b);
bool policy_auto_enable(const struct policy *p, const struct dom_ident *d);
/* Canonical text (what policy_parse reads back to the same policy). */
int policy_format(const struct policy *p, char *buf, size_t size);
const char *spec_str(const struct dom_spec *s, char *buf, size_t size);

/* File helpers: a missing file is the empty policy (default deny). */
int policy_load(struct policy *p, const char *path, char *err, size_t errlen);
/* Atomic replace (write temp + rename). */
int policy_save(const struct policy *p, const char *path);

#endif
