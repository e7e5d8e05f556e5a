// SPDX-License-Identifier: GPL-2.0
/*
 * Connection rings (design decision 3). One direction of a connection is
 * a run of pool slots written by the side that granted them: the first
 * slot holds the index block, the others the data area (wire.h). The
 * writer takes the run from its own pool, the reader finds the same run
 * among the peer pages it mapped when the pool grew, so a connection
 * costs no hypercall. The pages are used one by one through the ring
 * core's span offsets: a PV guest can not vmap() grant mappings.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "tsmc_xen.h"

static int tsmc_cring_pages(struct tsmc_cring *cr, u8 order, gfp_t gfp)
{
	cr->order = order;
	cr->nr = TSMC_RING_RUN_SLOTS(order);
	cr->pages = kmalloc_array(cr->nr, sizeof(*cr->pages), gfp);
	return cr->pages ? 0 : -ENOMEM;
}

/* Our sending ring: a fresh run of our pool, formatted. -ENOSPC: none. */
int tsmc_cring_own(struct tsmc_pair *p, struct tsmc_cring *cr, gfp_t gfp)
{
	struct tsmc_ring_idx *idx;
	unsigned int i;
	int s;

	memset(cr, 0, sizeof(*cr));
	if (tsmc_cring_pages(cr, tsmc_ring_order, gfp))
		return -ENOMEM;
	s = tsmc_pool_run_get(p, cr->nr);
	if (s < 0) {
		kfree(cr->pages);
		cr->pages = NULL;
		return s;
	}
	cr->slot = s;
	cr->own = true;
	for (i = 0; i < cr->nr; i++)
		cr->pages[i] = tsmc_pool_own_page(p, cr->slot + i);
	/* The run may have carried an earlier connection: start clean. */
	idx = page_address(cr->pages[0]);
	tsmc_ring_format(idx, 0);
	return tsmc_ring_init(&cr->ring, idx, page_address(cr->pages[1]),
			      cr->order, 0, true);
}

/*
 * The peer's sending ring, as named in its OFFER or ACCEPT. -EINVAL for an
 * order we never allow or slots the peer never granted us.
 */
int tsmc_cring_peer(struct tsmc_pair *p, struct tsmc_cring *cr, u32 slot,
		    u8 order, gfp_t gfp)
{
	int err;

	memset(cr, 0, sizeof(*cr));
	if (order < TSMC_RING_ORDER_MIN || order > TSMC_RING_ORDER_MAX)
		return -EINVAL;
	if (tsmc_cring_pages(cr, order, gfp))
		return -ENOMEM;
	err = tsmc_pool_peer_run(p, slot, cr->nr, cr->pages);
	if (!err)
		err = tsmc_ring_init(&cr->ring, page_address(cr->pages[0]),
				     page_address(cr->pages[1]), order, 0,
				     false);
	if (err) {
		kfree(cr->pages);
		cr->pages = NULL;
		return err;
	}
	cr->slot = slot;
	return 0;
}

/* Give our run back to the pool (the peer must be done with it). */
void tsmc_cring_put(struct tsmc_pair *p, struct tsmc_cring *cr)
{
	if (cr->own && cr->pages)
		tsmc_pool_run_put(p, cr->slot, cr->nr);
	kfree(cr->pages);
	cr->pages = NULL;
	cr->own = false;
}

/* Our run now belongs to connection @tag (TSMC_RING_TAG). */
void tsmc_cring_set_tag(struct tsmc_cring *cr, u32 tag)
{
	tsmc_idx_store(&cr->ring.idx->p.owner_tag, tag);
}

/* Does the peer's run still belong to connection @tag? */
bool tsmc_cring_tag_ok(const struct tsmc_cring *cr, u32 tag)
{
	return tsmc_idx_load(&cr->ring.idx->p.owner_tag) == tag;
}

/*
 * Is this the fresh ring of connection @tag that tsmc_cring_own() laid
 * out? The reader's check that an OFFER or ACCEPT names what the peer
 * really formatted for this connection.
 */
bool tsmc_cring_fresh(const struct tsmc_cring *cr, u32 tag)
{
	const struct tsmc_ring_idx *idx = cr->ring.idx;

	return tsmc_cring_tag_ok(cr, tag) && !tsmc_idx_load(&idx->p.prod) &&
	       !tsmc_idx_load(&idx->p.pflags) && !tsmc_idx_load(&idx->c.cons) &&
	       tsmc_idx_load(&idx->data.event) == 1;
}
