// SPDX-License-Identifier: MIT
/* The daemon: provisioning, cleanup, policy changes, restarts, guest
 * garbage, the watch loop and sd_notify. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "xs_paths.h"

/* Host with alpha(3), beta(7) enabled, gamma(9) enabled, policy default
 * allow except gamma. */
static void setup(struct env *e)
{
	env_init(e);
	env_host(e);
	CHECK(run(e, "policy default allow") == 0);
	CHECK(run(e, "policy deny gamma *") == 0);
	CHECK(run(e, "enable alpha") == 0);
	CHECK(run(e, "enable beta") == 0);
	CHECK(run(e, "enable gamma") == 0);
}

static void t_provision_layout(void)
{
	struct env e;
	char perms[64];
	FILE *f;
	char *dump;

	setup(&e);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_HAS(e.err, "provisioned pair 3-7");
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7), perms, 64), "n0,r3,r7");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PAIR_UUID_LO, 3, 7)), uuid_of(3));
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PAIR_UUID_HI, 3, 7)), uuid_of(7));
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_PAIR_SIDE_DIR, 3, 7, 3), perms, 64), "n0,b3,r7");
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 7), perms, 64), "n0,b7,r3");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 3)), "1");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PAIR_CTL_REFS, 3, 7, 3)), "");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PAIR_EVTCHN, 3, 7, 3)), "");
	/* Only the server side gets the ring nodes. */
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_EVTCHN, 3, 7, 7)) == NULL);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PEER, 3, 7)), P(TSMC_XS_PAIR_DIR, 3, 7));
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PEER, 7, 3)), P(TSMC_XS_PAIR_DIR, 3, 7));
	CHECK_STR(fake_xs_perms(e.xs, P(TSMC_XS_PEER, 7, 3), perms, 64), "n0,r7");
	/* gamma is denied: no pair with it. */
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 9)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 7, 9)) == NULL);
	/* Isolation, as xenstored would enforce it. */
	CHECK(fake_xs_can(e.xs, 3, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 3), XSI_WRITE));
	CHECK(!fake_xs_can(e.xs, 3, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 7), XSI_WRITE));
	CHECK(fake_xs_can(e.xs, 3, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 7), XSI_READ));
	CHECK(!fake_xs_can(e.xs, 9, P(TSMC_XS_PAIR_DIR, 3, 7), XSI_READ));
	CHECK(!fake_xs_can(e.xs, 9, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 3), XSI_READ));
	CHECK(!fake_xs_can(e.xs, 9, P(TSMC_XS_PAIR_SIDE_DIR, 3, 7, 7), XSI_WRITE));
	CHECK(!fake_xs_can(e.xs, 9, TSMC_XS_PAIRS_DIR, XSI_READ));
	/* Every node written must satisfy the schema: dump it for the
	 * schema checker test that runs after this binary. */
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/state", "ready", "n3");
	dump = fake_xs_dump(e.xs);
	f = fopen("build/daemon-fake.dump", "w");
	CHECK(f != NULL);
	if (f) {
		fputs(dump, f);
		fclose(f);
	}
	free(dump);
	env_fini(&e);
}

static void t_idempotent_restart(void)
{
	struct env e;
	char *a, *b;
	unsigned int commits;

	setup(&e);
	CHECK(run(&e, "daemon --once") == 0);
	/* A guest progressed its side: a restarted daemon must keep that. */
	fake_xs_set(e.xs, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 3), "4", NULL);
	a = fake_xs_dump(e.xs);
	commits = e.xs->commits;
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(run(&e, "daemon --once") == 0);
	b = fake_xs_dump(e.xs);
	CHECK_STR(b, a);
	CHECK(e.xs->commits == commits);	/* nothing rewritten */
	CHECK(fake_xs_count(e.xs, TSMC_XS_PAIRS_DIR) == 1 + fake_xs_count(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)));
	free(a);
	free(b);
	env_fini(&e);
}

static void t_cleanup_on_destroy(void)
{
	struct env e;

	setup(&e);
	CHECK(run(&e, "policy allow gamma alpha") == 0);	/* after deny: no effect */
	CHECK(run(&e, "policy remove 1") == 0);		/* drop the deny */
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 9)) != NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 7, 9)) != NULL);
	fake_xs_destroy_domain(e.xs, 7);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_HAS(e.err, "removed pair 3-7");
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 7, 9)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 3, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 9, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 9)) != NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 3, 9)) != NULL);
	env_fini(&e);
}

static void t_policy_change_and_reuse(void)
{
	struct env e;

	setup(&e);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) != NULL);
	CHECK(run(&e, "policy load /dev/null") == 0);		/* default deny */
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 7, 3)) == NULL);
	CHECK(run(&e, "policy allow uuid:0a1b2c3d-0000-4000-8000-000000000003 beta") == 0);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) != NULL);
	/* Domid 7 reused by a new domain called beta: the old pair (other
	 * UUID) must not survive, a fresh one is made. */
	fake_xs_destroy_domain(e.xs, 7);
	fake_xs_add_domain(e.xs, 7, "beta", "0a1b2c3d-0000-4000-8000-0000000000ff");
	fake_xs_set(e.xs, P(TSMC_XS_ENABLED, 7), "1", "n0,r7");	/* as if enabled */
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_PAIR_UUID_HI, 3, 7)),
		  "0a1b2c3d-0000-4000-8000-0000000000ff");
	env_fini(&e);
}

static void t_auto_enable_and_retag(void)
{
	struct env e;
	char path[400];
	const char *tag;

	env_init(&e);
	env_host(&e);
	CHECK(run(&e, "policy default allow") == 0);
	CHECK(run(&e, "policy auto-enable name:alpha") == 0);
	CHECK(run(&e, "policy auto-enable uuid:0a1b2c3d-0000-4000-8000-000000000007") == 0);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 3)), "1");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 7)), "1");
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_ENABLED, 9)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) != NULL);
	/* Tag file replaced behind our back: the daemon re-tags guests. */
	snprintf(path, sizeof(path), "%s/host-tag", e.state_dir);
	write_file(path, "00112233445566ff\n");
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 3)), "00112233445566ff");
	CHECK_STR(fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 7)), "00112233445566ff");
	tag = fake_xs_get(e.xs, P(TSMC_XS_HOST_TAG, 9));
	CHECK(tag == NULL);
	env_fini(&e);
}

static void t_guest_garbage_ignored(void)
{
	struct env e;
	char *a, *b;

	setup(&e);
	CHECK(run(&e, "daemon --once") == 0);
	/* Guests write nonsense into every place they can write. */
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/state", "\xff\xfe", "n3");
	fake_xs_set(e.xs, "/local/domain/3/data/tsmc/peers/99", "/local/domain/0/tsmc", "n3");
	fake_xs_set(e.xs, P(TSMC_XS_PAIR_SIDE_STATE, 3, 7, 7), "garbage", NULL);
	fake_xs_set(e.xs, P(TSMC_XS_PAIR_SIDE_VERSION, 3, 7, 3), "-1", NULL);
	/* And an unexpected name appears in dom0's pairs dir. */
	fake_xs_set(e.xs, "/local/domain/0/tsmc/pairs/junk", "", "n0");
	a = fake_xs_dump(e.xs);
	CHECK(run(&e, "daemon --once") == 0);
	CHECK_HAS(e.err, "ignoring unexpected node /local/domain/0/tsmc/pairs/junk");
	b = fake_xs_dump(e.xs);
	CHECK_STR(b, a);	/* no reaction to guest-written values */
	free(a);
	free(b);
	CHECK(run(&e, "status") == 0);
	CHECK_HAS(e.out, "pair:     peer 7, server, initialising / peer invalid");
	env_fini(&e);
}

static void t_transaction_failure_retried_next_pass(void)
{
	struct env e;

	setup(&e);
	e.xs->fail_ops_after = 5;	/* fails inside the provisioning tx */
	CHECK(run(&e, "daemon --once") == 1);
	CHECK_HAS(e.err, "provisioned pair 3-7 failed");
	/* Nothing half-written: no pair dir, no dangling pointer. */
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 3, 7)) == NULL);
	e.xs->fail_ops_after = -1;
	e.xs->eagain_commits = 2;
	CHECK(run(&e, "daemon --once") == 0);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) != NULL);
	env_fini(&e);
}

static void t_loop_and_notify(void)
{
	struct env e;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[64] = "";
	struct timespec t0, t1;
	int fd;
	ssize_t n;

	setup(&e);
	/* NOTIFY_SOCKET must be absolute and short: use /tmp. */
	char sdir[] = "/tmp/tsmc-notify-XXXXXX";

	CHECK(mkdtemp(sdir) != NULL);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", sdir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	/* beta dies right after pass 1 provisioned 3-7; the @releaseDomain
	 * event must wake pass 2 at once (not the 10 s periodic pass). */
	e.xs->destroy_domid = 7;
	e.xs->destroy_after_commits = 1;
	e.max_passes = 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(run(&e, "daemon") == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Woken by the event: far below the 10 s periodic pass. */
	CHECK(t1.tv_sec - t0.tv_sec < 5);
	unsetenv("NOTIFY_SOCKET");
	CHECK_HAS(e.err, "daemon ready");
	CHECK_HAS(e.err, "provisioned pair 3-7");
	CHECK_HAS(e.err, "removed pair 3-7");
	CHECK_HAS(e.err, "daemon stopping");
	CHECK(e.xs->nwatches == 3);
	CHECK_STR(e.xs->watches[2], TSMC_XS_CONFIG_GEN);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CHECK(n == 7 && strncmp(buf, "READY=1", 7) == 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CHECK(n == 10 && strncmp(buf, "STOPPING=1", 10) == 0);
	close(fd);
	unlink(sa.sun_path);
	rmdir(sdir);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PAIR_DIR, 3, 7)) == NULL);
	CHECK(fake_xs_get(e.xs, P(TSMC_XS_PEER, 3, 7)) == NULL);
	env_fini(&e);
}

const struct test daemon_tests[] = {
	{ "daemon: pair dir layout, perms, pointers, isolation", t_provision_layout },
	{ "daemon: restart converges, duplicates and rewrites nothing", t_idempotent_restart },
	{ "daemon: domain destroyed -> its pairs and pointers removed", t_cleanup_on_destroy },
	{ "daemon: policy deny removes pair; reused domid re-provisioned", t_policy_change_and_reuse },
	{ "daemon: auto-enable per policy; re-tag after tag change", t_auto_enable_and_retag },
	{ "daemon: guest garbage and junk nodes do not confuse it", t_guest_garbage_ignored },
	{ "daemon: failed tx leaves nothing, next pass succeeds", t_transaction_failure_retried_next_pass },
	{ "daemon: watch loop, READY=1/STOPPING=1 on NOTIFY_SOCKET", t_loop_and_notify },
	{ NULL, NULL },
};
