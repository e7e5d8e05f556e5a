// SPDX-License-Identifier: GPL-2.0
/*
 * Compile test only: ring.h and ring_env.h built as kernel code (W=1),
 * every inline function instantiated. Never loaded.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include "tsmc_xen/ring.h"

static int __init ring_kbuild_test_init(void)
{
	struct tsmc_ring_idx *idx;
	struct tsmc_ring_span sp[2];
	struct tsmc_ring p, c;
	u8 buf[16] = { 0 };
	bool notify;
	u32 seq;
	void *data;
	int ret = 0;

	idx = kzalloc(sizeof(*idx), GFP_KERNEL);
	data = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!idx || !data) {
		ret = -ENOMEM;
		goto out;
	}
	tsmc_ring_format(idx, 0);
	ret = tsmc_ring_init(&p, idx, data, PAGE_SHIFT, 0, true);
	if (!ret)
		ret = tsmc_ring_init(&c, idx, data, PAGE_SHIFT, 0, false);
	if (ret)
		goto out;
	tsmc_ring_reserve(&p, sp, sizeof(buf));
	tsmc_ring_reserve_lazy(&p, sp, sizeof(buf));
	tsmc_ring_commit(&p, 0);
	tsmc_ring_write(&p, buf, sizeof(buf), &notify);
	tsmc_ring_prod_arm(&p, 1);
	tsmc_ring_set_cut(&p, 1);
	tsmc_ring_set_eof(&p);
	tsmc_ring_set_error(&p);
	tsmc_ring_peek(&c, sp);
	tsmc_ring_peek_min(&c, sp, 1);
	tsmc_ring_consume(&c, 0);
	tsmc_ring_read(&c, buf, sizeof(buf), &notify);
	tsmc_ring_cons_arm(&c);
	tsmc_ring_get_cut(&c, &seq);
	tsmc_ring_set_closed(&c);
	tsmc_ring_set_peer_gone(&c);
	ret = tsmc_ring_eof(&c) ? 0 : tsmc_ring_error(&c);
out:
	kfree(data);
	kfree(idx);
	return ret < 0 ? ret : 0;
}

static void __exit ring_kbuild_test_exit(void)
{
}

module_init(ring_kbuild_test_init);
module_exit(ring_kbuild_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tsmc ring.h kernel compile test");
