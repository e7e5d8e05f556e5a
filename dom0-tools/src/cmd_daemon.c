// SPDX-License-Identifier: MIT
/*
 * tsmc-xenctl daemon [--once]: keep xenstore in line with running domains
 * and the policy. Woken by @introduceDomain, @releaseDomain and config-gen
 * (bumped by every tsmc-xenctl change) -- never by guest-writable nodes, so
 * a guest cannot make it spin. Follow-up passes shortly after each event
 * catch toolstack writes that land after the watch fired; a slow periodic
 * pass is the safety net.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hosttag.h"
#include "policy.h"
#include "reconcile.h"
#include "sd_notify.h"
#include "xenctl.h"
#include "xs_paths.h"

#define FOLLOWUP1_MS 200
#define FOLLOWUP2_MS 800
#define PERIOD_MS 10000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reload policy and tag; on error keep what we had and say so.
 * Returns true if the tag changed (guests need re-tagging). */
static bool reload(struct xenctl *c, struct policy *p, char *tag)
{
	bool changed = false;

	static struct policy np;
	char err[256], t[HOST_TAG_HEX + 1];

	if (policy_load(&np, c->policy_path, err, sizeof(err)) == 0)
		*p = np;
	else
		fprintf(c->err, "tsmc-xenctl: policy %s malformed, keeping the previous one: %s\n",
			c->policy_path, err);
	if (hosttag_load(c->state_dir, t) == 0) {
		changed = strcmp(tag, t) != 0;
		memcpy(tag, t, sizeof(t));
	} else {
		fprintf(c->err, "tsmc-xenctl: %s/host-tag unreadable, keeping the previous tag\n",
			c->state_dir);
	}
	return changed;
}

static int pass(struct xenctl *c, const struct policy *p, const char *tag, bool full)
{
	struct reconcile_stats st;
	long long t0 = now_ms();
	int rc = reconcile(c->xs, p, tag, full, &st, c->err);

	if (rc)
		fprintf(c->err, "tsmc-xenctl: reconcile failed: %s\n", strerror(-rc));
	else if (st.enabled + st.retagged + st.provisioned + st.removed +
		 st.stale_links + st.errors)
		fprintf(c->err, "tsmc-xenctl: pass took %lld ms\n", now_ms() - t0);
	return rc ? rc : (st.errors ? -EIO : 0);
}

enum { EV_NONE = 0, EV_CONFIG = 1, EV_DOMAIN = 2 };

/* Drain pending watch events; EV_* bits of what arrived. */
static int drain(struct xenctl *c)
{
	char *path, *token;
	int ev = EV_NONE;

	while (c->xs->ops->watch_read(c->xs, &path, &token) == 1) {
		ev |= strcmp(token, "config") == 0 ? EV_CONFIG : EV_DOMAIN;
		free(path);
		free(token);
	}
	return ev;
}

int cmd_daemon(struct xenctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	static struct policy pol;
	char tag[HOST_TAG_HEX + 1], err[256];
	long long next_at, follow[2] = { 0, 0 };
	bool once = false;
	unsigned int passes = 0;
	int opt, rc, wfd, ev;
	bool full;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'o') {
			p_err(c, "daemon: unknown option '%s'", argv[optind - 1]);
			return usage_of(c, "daemon");
		}
		once = true;
	}
	if (optind != argc) {
		p_err(c, "daemon: unexpected argument '%s'", argv[optind]);
		return usage_of(c, "daemon");
	}
	if (hosttag_load(c->state_dir, tag)) {
		p_err(c, "no valid host identity in %s: run 'tsmc-xenctl init' first",
		      c->state_dir);
		return EXIT_FAILURE;
	}
	if (policy_load(&pol, c->policy_path, err, sizeof(err))) {
		p_err(c, "policy file %s is malformed: %s", c->policy_path, err);
		return EXIT_FAILURE;
	}
	if (!xenctl_xs(c))
		return EXIT_FAILURE;
	if (once) {
		rc = pass(c, &pol, tag, true);
		return rc ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	if ((rc = c->xs->ops->watch(c->xs, "@introduceDomain", "intro")) ||
	    (rc = c->xs->ops->watch(c->xs, "@releaseDomain", "release")) ||
	    (rc = c->xs->ops->watch(c->xs, TSMC_XS_CONFIG_GEN, "config"))) {
		p_err(c, "cannot set xenstore watches: %s", strerror(-rc));
		return EXIT_FAILURE;
	}
	drain(c);	/* xenstored fires each new watch once; we pass anyway */
	pass(c, &pol, tag, true);
	passes++;
	sd_notify_send("READY=1");
	fprintf(c->err, "tsmc-xenctl: daemon ready\n");
	wfd = c->xs->ops->watch_fd(c->xs);
	next_at = now_ms() + PERIOD_MS;
	while (!(c->stop && *c->stop)) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		long long t = now_ms(), due = next_at;
		int k;

		if (c->daemon_max_passes && passes >= c->daemon_max_passes)
			break;
		for (k = 0; k < 2; k++)
			if (follow[k] && follow[k] < due)
				due = follow[k];
		if (wfd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = wfd, .events = POLLIN };
		if (c->stop_fd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = c->stop_fd, .events = POLLIN };
		if (poll(fds, nfds, due > t ? (int)(due - t) : 0) < 0 && errno != EINTR)
			break;
		if (c->stop && *c->stop)
			break;
		t = now_ms();
		ev = drain(c);
		full = t >= next_at;
		if (ev) {
			/* config-gen: policy or tag may have changed. Its writer's
			 * transaction is complete, so one pass suffices; domain
			 * events get follow-ups for toolstack writes that land
			 * after @introduceDomain fires. */
			if ((ev & EV_CONFIG) && reload(c, &pol, tag))
				full = true;
			if (ev & EV_DOMAIN) {
				follow[0] = t + FOLLOWUP1_MS;
				follow[1] = t + FOLLOWUP2_MS;
			}
		} else {
			bool fire = t >= next_at;

			for (k = 0; k < 2; k++)
				if (follow[k] && t >= follow[k]) {
					follow[k] = 0;
					fire = true;
				}
			if (!fire)
				continue;
		}
		pass(c, &pol, tag, full);
		passes++;
		if (full)
			next_at = t + PERIOD_MS;
	}
	sd_notify_send("STOPPING=1");
	fprintf(c->err, "tsmc-xenctl: daemon stopping\n");
	return EXIT_SUCCESS;
}
