// SPDX-License-Identifier: GPL-2.0
/*
 * Per-pair grant pool: pages each side grants to its peer once, in chunks
 * of TSMC_POOL_REFS_PER_MSG announced by one POOL_ADD each, and that the
 * peer maps as soon as it hears of them. A connection ring later takes
 * slots from the pool, so opening a connection needs no grant or map
 * hypercall unless the pool runs low; then it grows in the background.
 *
 * A slot is one page. Our own chunks stay granted until the pair channel
 * goes down; the peer's chunks stay mapped until then too, and are
 * unmapped first thing at teardown so a dying peer never lingers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/slab.h>

#include "tsmc_xen.h"

static struct tsmc_pool_chunk *tsmc_chunk_alloc(void)
{
	struct tsmc_pool_chunk *c = kzalloc(sizeof(*c), GFP_KERNEL);
	unsigned int i;

	if (c)
		for (i = 0; i < TSMC_POOL_REFS_PER_MSG; i++)
			c->handles[i] = INVALID_GRANT_HANDLE;
	return c;
}

unsigned int tsmc_pool_free_slots(struct tsmc_pair *p)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&p->pool.lock, flags);
	n = p->pool.own_slots - p->pool.own_busy;
	spin_unlock_irqrestore(&p->pool.lock, flags);
	return n;
}

static void tsmc_pool_want_grow(struct tsmc_pair *p)
{
	struct tsmc_pool *pool = &p->pool;

	if (!pool->stopped && pool->own_slots < pool->own_max &&
	    pool->own_slots - pool->own_busy < pool->low_water)
		queue_work(tsmc_wq, &pool->grow_work);
}

/* Grant one more chunk to the peer and announce it (process context). */
static void tsmc_pool_grow(struct work_struct *work)
{
	struct tsmc_pair *p = container_of(work, struct tsmc_pair,
					   pool.grow_work);
	struct tsmc_pool *pool = &p->pool;
	struct tsmc_ctl_pool_add add = {};
	struct tsmc_pool_chunk *c;
	unsigned int ci, i, first;
	unsigned long flags;
	int err;

	spin_lock_irqsave(&pool->lock, flags);
	first = pool->own_slots;
	ci = first / TSMC_POOL_REFS_PER_MSG;
	if (pool->stopped || first >= pool->own_max ||
	    first - pool->own_busy >= pool->low_water) {
		spin_unlock_irqrestore(&pool->lock, flags);
		return;
	}
	spin_unlock_irqrestore(&pool->lock, flags);

	c = pool->own[ci];	/* left from a send that found the ring full */
	if (!c) {
		c = tsmc_chunk_alloc();
		if (!c)
			return;
		err = tsmc_grant_pages(p->peer, c->pages, c->refs,
				       TSMC_POOL_REFS_PER_MSG);
		if (err) {
			pr_warn("pool for domain %u cannot grow: no grants (%d)\n",
				p->peer, err);
			kfree(c);
			return;
		}
		c->n = TSMC_POOL_REFS_PER_MSG;
		pool->own[ci] = c;	/* tsmc_pool_end_grants frees it */
	}

	add.first_slot = cpu_to_le32(first);
	add.nr_refs = cpu_to_le16(c->n);
	for (i = 0; i < c->n; i++)
		add.ref[i] = cpu_to_le32(c->refs[i]);
	err = tsmc_ctl_send(p, TSMC_CTL_POOL_ADD, &add, sizeof(add));
	if (err == -EAGAIN) {
		queue_work(tsmc_wq, &pool->grow_work);	/* peer reads slowly */
		return;
	}
	if (err)
		return;		/* pair down or broken: teardown frees it */

	/* The peer may use the slots' pages now; so may we. */
	spin_lock_irqsave(&pool->lock, flags);
	pool->own_slots = first + c->n;
	pool->grows++;
	tsmc_pool_want_grow(p);
	spin_unlock_irqrestore(&pool->lock, flags);
}

void tsmc_pool_init(struct tsmc_pair *p)
{
	spin_lock_init(&p->pool.lock);
	INIT_WORK(&p->pool.grow_work, tsmc_pool_grow);
	p->pool.stopped = true;
	p->pool.low_water = TSMC_POOL_LOW_WATER;
}

/* Channel connected: the peer told us in HELLO how much it maps. */
void tsmc_pool_start(struct tsmc_pair *p)
{
	struct tsmc_pool *pool = &p->pool;
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	pool->stopped = false;
	pool->own_max = min_t(u32, p->peer_slots_max, TSMC_POOL_MAX_SLOTS);
	pool->own_max -= pool->own_max % TSMC_POOL_REFS_PER_MSG;
	/* Room for two connection rings before the first one asks. */
	pool->low_water = max_t(unsigned int, pool->low_water,
				2 * TSMC_RING_RUN_SLOTS(tsmc_ring_order) +
				TSMC_POOL_LOW_WATER);
	tsmc_pool_want_grow(p);
	spin_unlock_irqrestore(&pool->lock, flags);
}

/*
 * POOL_ADD from the peer (rx_work): chunks come in order, whole and
 * within the limit we announced; then map them at once.
 */
int tsmc_pool_peer_add(struct tsmc_pair *p,
		       const struct tsmc_ctl_pool_add *add)
{
	u32 first = le32_to_cpu(add->first_slot);
	u16 n = le16_to_cpu(add->nr_refs);
	grant_ref_t refs[TSMC_POOL_REFS_PER_MSG];
	struct tsmc_pool *pool = &p->pool;
	struct tsmc_pool_chunk *c;
	unsigned int i;
	int err;

	if (first != pool->peer_slots || n != TSMC_POOL_REFS_PER_MSG ||
	    first + n > tsmc_pool_slots)
		return -EPROTO;
	for (i = 0; i < n; i++)
		refs[i] = le32_to_cpu(add->ref[i]);
	c = tsmc_chunk_alloc();
	if (!c)
		return -ENOMEM;
	err = tsmc_map_pages(p->peer, refs, c->pages, c->handles, n);
	if (err) {
		kfree(c);
		return err;
	}
	memcpy(c->refs, refs, sizeof(refs));
	c->n = n;
	pool->peer[first / TSMC_POOL_REFS_PER_MSG] = c;
	/* Chunk /then/ count: tsmc_pool_peer_page() may run in a doorbell. */
	smp_store_release(&pool->peer_slots, first + n);
	return 0;
}

/*
 * Take @n consecutive free slots of our own pool (a connection ring run
 * when n > 1); -ENOSPC if there are none now. Either way the pool grows
 * in the background while fewer than 2 * @n + TSMC_POOL_LOW_WATER are
 * free: room for the next two runs, as connections come in bursts
 * (iperf3 -P, a client's pool) and an OFFER cannot wait for a grant.
 */
int tsmc_pool_run_get(struct tsmc_pair *p, unsigned int n)
{
	struct tsmc_pool *pool = &p->pool;
	unsigned long flags;
	unsigned int s;
	int ret = -ENOSPC;

	spin_lock_irqsave(&pool->lock, flags);
	if (!pool->stopped) {
		s = bitmap_find_next_zero_area(pool->busy, pool->own_slots, 0,
					       n, 0);
		if (s < pool->own_slots) {
			bitmap_set(pool->busy, s, n);
			pool->own_busy += n;
			ret = s;
		}
		pool->low_water = max(pool->low_water,
				      2 * n + TSMC_POOL_LOW_WATER);
		tsmc_pool_want_grow(p);
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}

void tsmc_pool_run_put(struct tsmc_pair *p, unsigned int slot, unsigned int n)
{
	struct tsmc_pool *pool = &p->pool;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&pool->lock, flags);
	for (i = slot; i < slot + n && i < pool->own_slots; i++)
		if (__test_and_clear_bit(i, pool->busy))
			pool->own_busy--;
	spin_unlock_irqrestore(&pool->lock, flags);
}

int tsmc_pool_slot_get(struct tsmc_pair *p)
{
	return tsmc_pool_run_get(p, 1);
}

void tsmc_pool_slot_put(struct tsmc_pair *p, unsigned int slot)
{
	tsmc_pool_run_put(p, slot, 1);
}

/* A slot we took with tsmc_pool_run_get(): its chunk exists. */
struct page *tsmc_pool_own_page(struct tsmc_pair *p, unsigned int slot)
{
	return p->pool.own[slot / TSMC_POOL_REFS_PER_MSG]
		->pages[slot % TSMC_POOL_REFS_PER_MSG];
}

/*
 * The peer's run [slot, slot + n) as mapped pages, or -EINVAL if the peer
 * named slots it never announced. Mapped chunks stay until teardown,
 * which runs only after doorbells and rx_work are done with the pair.
 */
int tsmc_pool_peer_run(struct tsmc_pair *p, u32 slot, unsigned int n,
		       struct page **pages)
{
	unsigned int i;
	u32 have;

	/* Count /then/ chunk: pairs with the release in tsmc_pool_peer_add. */
	have = smp_load_acquire(&p->pool.peer_slots);

	if (slot >= have || n > have - slot)
		return -EINVAL;
	for (i = 0; i < n; i++)
		pages[i] = p->pool.peer[(slot + i) / TSMC_POOL_REFS_PER_MSG]
			->pages[(slot + i) % TSMC_POOL_REFS_PER_MSG];
	return 0;
}

/*
 * Test hook: hold @n more slots (n > 0) or give back every held one
 * (n == 0), so the lab can watch the pool grow on demand.
 */
int tsmc_pool_test_hold(struct tsmc_pair *p, unsigned int n)
{
	int s;

	if (!n) {
		for_each_set_bit(s, p->pool.test_held, TSMC_POOL_MAX_SLOTS)
			tsmc_pool_slot_put(p, s);
		bitmap_zero(p->pool.test_held, TSMC_POOL_MAX_SLOTS);
		return 0;
	}
	while (n--) {
		s = tsmc_pool_slot_get(p);
		if (s < 0)
			return s;
		__set_bit(s, p->pool.test_held);
	}
	return 0;
}

/* Channel going down (rx work no longer runs): drop the peer's pages. */
void tsmc_pool_unmap_peer(struct tsmc_pair *p)
{
	struct tsmc_pool *pool = &p->pool;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&pool->lock, flags);
	pool->stopped = true;
	spin_unlock_irqrestore(&pool->lock, flags);
	cancel_work_sync(&pool->grow_work);

	for (i = 0; i < TSMC_POOL_MAX_CHUNKS; i++) {
		if (pool->peer[i]) {
			tsmc_unmap_pages(pool->peer[i]->pages,
					 pool->peer[i]->handles,
					 pool->peer[i]->n);
			kfree(pool->peer[i]);
			pool->peer[i] = NULL;
		}
	}
	pool->peer_slots = 0;
}

/* Then end our grants (deferred by the kernel if the peer still maps). */
void tsmc_pool_end_grants(struct tsmc_pair *p)
{
	struct tsmc_pool *pool = &p->pool;
	unsigned int i;

	for (i = 0; i < TSMC_POOL_MAX_CHUNKS; i++) {
		if (pool->own[i]) {
			tsmc_ungrant_pages(pool->own[i]->pages,
					   pool->own[i]->refs,
					   pool->own[i]->n);
			kfree(pool->own[i]);
			pool->own[i] = NULL;
		}
	}
	pool->own_slots = 0;
	pool->own_busy = 0;
	bitmap_zero(pool->busy, TSMC_POOL_MAX_SLOTS);
	bitmap_zero(pool->test_held, TSMC_POOL_MAX_SLOTS);
}
