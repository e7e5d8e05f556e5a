/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tsmc_xen private declarations shared by the module's files.
 */
#ifndef _TSMC_XEN_PRIV_H
#define _TSMC_XEN_PRIV_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <linux/in6.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>
#include <xen/xenbus.h>

#include "tsmc_xen/ring.h"
#include "tsmc_xen/wire.h"
#include "tsmc_xen/xs_paths.h"

#define TSMC_MODULE_VERSION	"0.3.0"

/*
 * Control ring pages, granted by the server (lower domid): page 0 holds
 * both index blocks, then one data page per direction. Every access stays
 * inside one page, so the client maps them one by one (no vmap).
 */
#define TSMC_CTL_ORDER		12
#define TSMC_CTL_NR_PAGES	3
#define TSMC_CTL_IDX_S2C	0	/* byte offset of the s->c index block */
#define TSMC_CTL_IDX_C2S	TSMC_RING_IDX_SIZE
#define TSMC_CTL_PAGE_S2C	1
#define TSMC_CTL_PAGE_C2S	2

/*
 * Grant pool: slots (pages) granted to the peer in chunks of one POOL_ADD
 * each. 32 chunks = 768 pages (3 MiB) per side per pair at most; the first
 * chunk is granted when the channel connects, the next one whenever fewer
 * than TSMC_POOL_LOW_WATER slots are free.
 */
#define TSMC_POOL_MAX_CHUNKS	32
#define TSMC_POOL_MAX_SLOTS	(TSMC_POOL_MAX_CHUNKS * TSMC_POOL_REFS_PER_MSG)
#define TSMC_POOL_LOW_WATER	8
/* Largest batch tsmc_map_pages() takes: one pool chunk. */
#define TSMC_MAP_MAX		TSMC_POOL_REFS_PER_MSG

/* Connection ring data area, log2 bytes (module parameter ring_order). */
#define TSMC_CONN_ORDER_DEFAULT	16

/* How often a live channel checks that the peer's port is still bound. */
#define TSMC_ALIVE_PERIOD	(HZ / 2)

/* Unload: how long to wait for the peer to drop our pages. */
#define TSMC_LEAVE_WAIT_MS	2000

/* Side state nodes hold XenbusState numbers (see xs_paths.h). */
#define TSMC_SIDE_INITIALISED	3
#define TSMC_SIDE_CONNECTED	4

enum tsmc_pair_state {
	TSMC_PAIR_INIT,		/* created, nothing shared yet */
	TSMC_PAIR_WAITING,	/* client: waiting for the server's pages */
	TSMC_PAIR_PUBLISHED,	/* server: pages granted, port published */
	TSMC_PAIR_HELLO,	/* ring up, HELLO sent, none received */
	TSMC_PAIR_CONNECTED,	/* versions agreed */
	TSMC_PAIR_BROKEN,	/* peer broke the protocol; ring unused */
	TSMC_PAIR_CLOSED,	/* torn down, waiting to be freed */
};

struct tsmc_ping_result {
	u32	sent;
	u32	ok;
	u32	bad;		/* wrong cookie or payload */
	u64	total_ns;
	u64	min_ns;
	u64	max_ns;
};

struct tsmc_pool_chunk {
	struct page	*pages[TSMC_POOL_REFS_PER_MSG];
	grant_ref_t	refs[TSMC_POOL_REFS_PER_MSG];
	grant_handle_t	handles[TSMC_POOL_REFS_PER_MSG];
	unsigned int	n;
};

struct tsmc_pool {
	spinlock_t		lock;		/* counters and bitmaps */
	bool			stopped;	/* channel down: no growth */
	unsigned int		own_slots;	/* granted and announced */
	unsigned int		own_busy;	/* of those, taken */
	unsigned int		own_max;	/* what the peer maps at most */
	unsigned int		peer_slots;	/* peer's slots we mapped */
	unsigned long		grows;		/* POOL_ADDs sent */
	unsigned int		low_water;	/* grow below this many free */
	DECLARE_BITMAP(busy, TSMC_POOL_MAX_SLOTS);
	DECLARE_BITMAP(test_held, TSMC_POOL_MAX_SLOTS);
	struct work_struct	grow_work;
	struct tsmc_pool_chunk	*own[TSMC_POOL_MAX_CHUNKS];
	struct tsmc_pool_chunk	*peer[TSMC_POOL_MAX_CHUNKS];
};

/* Test hook: how our next real OFFER lies (sysfs fault, fault_inject). */
enum tsmc_lie {
	TSMC_LIE_NONE,
	TSMC_LIE_ISN,		/* wrong ISN for the peer */
	TSMC_LIE_RING,		/* ring slots never granted */
};

/* One direction of a connection's rings (tsmc_cring.c). */
struct tsmc_cring {
	struct tsmc_ring	ring;
	struct page		**pages;	/* [0] index block, then data */
	unsigned int		slot;		/* first slot of the run */
	unsigned int		nr;		/* slots in the run */
	u8			order;		/* data area, log2 bytes */
	bool			own;		/* our pool: give the run back */
};

/*
 * A switched connection (tsmc_link.c, tsmc_proto.c). The socket points at
 * it through icsk_ulp_data (we refuse sockets with a ULP); the pair lists
 * it until both our socket is closed and the peer's CLOSE came, because
 * our sending ring must stay until the peer stopped reading it.
 */
struct tsmc_link {
	struct list_head	node;		/* p->links, RCU for the irq */
	struct rcu_head		rcu;
	refcount_t		ref;		/* the list's, and teardown's */
	struct tsmc_pair	*pair;
	struct sock		*sk;		/* held; NULL once closed */
	u32			conn_id;	/* the active side's OFFER id */
	bool			active;
	bool			switched;	/* holds a module reference */
	u8			family;		/* 0: IPv4, 1: IPv6 */
	struct tsmc_cring	tx, rx;		/* under the socket lock */
	u32			peer_isn;
	u32			my_cut;		/* our write_seq at the switch */
	u32			peer_cut;
	bool			my_cut_set;
	bool			peer_cut_known;
	bool			reading;	/* we set READING in rx */
	bool			broken;		/* peer broke a ring: reset */
	/* Under p->link_lock: */
	bool			sk_closed;	/* our close() ran */
	bool			peer_closed;	/* its CLOSE came */
	bool			dead;		/* pair down: rings unusable */
	u64			tx_bytes, rx_bytes;	/* under the socket lock */
	atomic64_t		wakes;
	/* The rings' shared words at the last interrupt (irq only). */
	u32			seen_prod, seen_pflags, seen_cons, seen_cflags;
	/* For /proc/net/tsmc_xen, copied at birth: sk goes at close. */
	possible_net_t		net;
	struct in6_addr		laddr, raddr;	/* IPv4 as v4-mapped */
	__be16			lport, rport;
};

/* Per-pair OFFER/ACCEPT counters, shown in sysfs "pairs". */
struct tsmc_conn_stats {
	u64	offers_out, offers_in;
	u64	accepts_out, accepts_in;
	u64	rejects_out, rejects_in;
	u64	offer_timeouts;		/* our OFFER got no verdict */
	u64	wait_timeouts;		/* passive socket got no OFFER */
	u64	stray;			/* verdict for no OFFER of ours */
	u64	send_failed;		/* control ring full or down */
	u64	busy, nomem;
	u64	pool_exhausted;		/* no run of slots for a ring */
	u64	bad_ring;		/* peer named slots it never granted */
	u64	cuts_ok, cuts_bad;	/* peer's TCP cut seen in its ring */
	u64	closes_in;
	u64	switched;		/* sockets moved onto rings */
	u64	switch_refused;		/* ULP, psock, user data, closed */
	u64	ring_broken;		/* peer broke a connection ring */
};

struct tsmc_pair {
	/* In tsmc_pairs: changed under tsmc_lock, doorbells read it (RCU). */
	struct list_head	node;
	domid_t			peer;
	domid_t			lo, hi;
	bool			server;		/* we are lo: we grant */
	enum tsmc_pair_state	state;
	int			error;		/* why BROKEN, negative errno */
	u16			version;	/* agreed wire version */
	ktime_t			born;		/* tsmc_pair_add() */
	u32			up_ms;		/* born to first connect, 0 = not yet */

	struct mutex		lock;		/* setup, teardown, state */
	char			my_dir[TSMC_XS_PATH_MAX];
	char			peer_state_path[TSMC_XS_PATH_MAX];
	struct xenbus_watch	peer_watch;	/* peer side's state node */
	bool			watching;
	struct work_struct	xs_work;	/* react to the peer's state */

	/* Control ring: granted (server) or mapped (client) pages. */
	struct page		*pages[TSMC_CTL_NR_PAGES];
	grant_ref_t		refs[TSMC_CTL_NR_PAGES];
	grant_handle_t		handles[TSMC_CTL_NR_PAGES];
	bool			mapped;		/* client: pages are foreign */
	evtchn_port_t		port;		/* local port */
	int			irq;		/* 0 when unbound */

	struct tsmc_ring	tx;		/* under tx_lock */
	struct tsmc_ring	rx;		/* only in rx_work */
	spinlock_t		tx_lock;
	u32			tx_seq;
	u32			rx_seq;
	struct work_struct	rx_work;
	spinlock_t		evt_lock;	/* irq vs teardown for lateeoi */
	bool			dying;
	bool			eoi_pending;	/* event came before irq was known */
	bool			hello_sent;	/* under tx_lock */
	bool			peer_hello;	/* under tx_lock */
	u32			peer_slots_max;	/* from the peer's HELLO */
	bool			peer_gone;	/* its port is no longer bound */
	struct tsmc_pool	pool;
	struct delayed_work	alive_work;	/* EVTCHNOP_status poll */

	/* Ping test (sysfs), one at a time under ping_lock. */
	struct mutex		ping_lock;
	wait_queue_head_t	ping_wq;
	u64			ping_cookie;	/* awaited cookie, 0 = none */
	bool			ping_done;
	u8			ping_payload[32];
	bool			ping_payload_ok;
	u64			pings, pongs;	/* control messages counted */
	u64			events;
	atomic64_t		doorbells;	/* connections taken */

	/* OFFER/ACCEPT in flight (tsmc_conn.c), under conn_lock. */
	spinlock_t		conn_lock;
	struct list_head	conns;
	unsigned int		nconns;
	u32			next_conn_id;
	struct delayed_work	conn_work;	/* expires entries */
	unsigned long		conn_due;	/* when it runs, if pending */
	struct tsmc_conn_stats	cstats;
	enum tsmc_lie		lie_next_offer;	/* test hook (fault_inject) */

	/* Switched connections (tsmc_link.c). */
	spinlock_t		link_lock;
	struct list_head	links;
	bool			links_dead;	/* teardown began: no new link */
	unsigned int		nlinks;
};

/* A counter of p->cstats changed outside conn_lock's critical sections. */
static inline void tsmc_count(struct tsmc_pair *p, u64 *ctr)
{
	spin_lock_bh(&p->conn_lock);
	(*ctr)++;
	spin_unlock_bh(&p->conn_lock);
}

/* tsmc_main.c */
extern struct workqueue_struct *tsmc_wq;
extern domid_t tsmc_self;
extern struct mutex tsmc_lock;		/* tsmc_pairs */
extern struct list_head tsmc_pairs;
extern bool tsmc_fault_inject;
extern unsigned int tsmc_ring_order;	/* module parameters */
extern unsigned int tsmc_pool_slots;
extern u8 tsmc_host_tag[TSMC_HOST_TAG_LEN];	/* fixed while loaded */
extern bool tsmc_host_tag_ok;

/* tsmc_xs.c: xenstore glue */
int tsmc_xs_read_self(domid_t *self);
int tsmc_xs_read_host_tag(u8 tag[TSMC_HOST_TAG_LEN]);
int tsmc_xs_report(const char *state);
void tsmc_xs_report_remove(void);
int tsmc_xs_start(void);
void tsmc_xs_stop(void);

/* tsmc_hyp.c: grant and event-channel hypercalls without xenbus devices */
int tsmc_evtchn_alloc_unbound(domid_t peer, evtchn_port_t *port);
int tsmc_evtchn_bind(domid_t peer, evtchn_port_t remote, evtchn_port_t *port);
void tsmc_evtchn_close(evtchn_port_t port);
int tsmc_grant_pages(domid_t peer, struct page **pages, grant_ref_t *refs,
		     unsigned int n);
void tsmc_ungrant_pages(struct page **pages, grant_ref_t *refs,
			unsigned int n);
int tsmc_map_pages(domid_t peer, const grant_ref_t *refs, struct page **pages,
		   grant_handle_t *handles, unsigned int n);
void tsmc_unmap_pages(struct page **pages, grant_handle_t *handles,
		      unsigned int n);
bool tsmc_evtchn_peer_bound(evtchn_port_t port);
extern atomic_t tsmc_grants_deferred;

/* tsmc_pair.c: pair channel lifecycle */
struct tsmc_pair *tsmc_pair_find(domid_t peer);
int tsmc_pair_add(domid_t peer);
void tsmc_pair_unlink(struct tsmc_pair *p);
void tsmc_pair_remove(struct tsmc_pair *p);
void tsmc_pair_remove_all(void);
const char *tsmc_pair_state_name(enum tsmc_pair_state s);
void tsmc_pair_break(struct tsmc_pair *p, int err, const char *why);
bool tsmc_pair_advance(struct tsmc_pair *p, enum tsmc_pair_state from,
		       enum tsmc_pair_state to);
bool tsmc_pair_hello_locked(struct tsmc_pair *p, bool sent, u16 version);
void tsmc_pair_connected(struct tsmc_pair *p);

/* tsmc_pool.c: per-pair grant pool */
void tsmc_pool_init(struct tsmc_pair *p);
void tsmc_pool_start(struct tsmc_pair *p);
void tsmc_pool_unmap_peer(struct tsmc_pair *p);
void tsmc_pool_end_grants(struct tsmc_pair *p);
int tsmc_pool_peer_add(struct tsmc_pair *p,
		       const struct tsmc_ctl_pool_add *add);
int tsmc_pool_slot_get(struct tsmc_pair *p);
void tsmc_pool_slot_put(struct tsmc_pair *p, unsigned int slot);
int tsmc_pool_run_get(struct tsmc_pair *p, unsigned int n);
void tsmc_pool_run_put(struct tsmc_pair *p, unsigned int slot, unsigned int n);
struct page *tsmc_pool_own_page(struct tsmc_pair *p, unsigned int slot);
int tsmc_pool_peer_run(struct tsmc_pair *p, u32 slot, unsigned int n,
		       struct page **pages);
unsigned int tsmc_pool_free_slots(struct tsmc_pair *p);
int tsmc_pool_test_hold(struct tsmc_pair *p, unsigned int n);

/* tsmc_cring.c: connection rings in pool slots */
int tsmc_cring_own(struct tsmc_pair *p, struct tsmc_cring *cr, gfp_t gfp);
int tsmc_cring_peer(struct tsmc_pair *p, struct tsmc_cring *cr, u32 slot,
		    u8 order, gfp_t gfp);
void tsmc_cring_put(struct tsmc_pair *p, struct tsmc_cring *cr);
void tsmc_cring_set_tag(struct tsmc_cring *cr, u32 tag);
bool tsmc_cring_tag_ok(const struct tsmc_cring *cr, u32 tag);
bool tsmc_cring_fresh(const struct tsmc_cring *cr, u32 tag);

/* tsmc_link.c: switched connections on a pair */
void tsmc_links_init(struct tsmc_pair *p);
void tsmc_links_open(struct tsmc_pair *p);
struct tsmc_link *tsmc_link_new(struct tsmc_pair *p, struct sock *sk,
				u32 conn_id, bool active, gfp_t gfp);
int tsmc_link_add(struct tsmc_pair *p, struct tsmc_link *l);
void tsmc_link_free(struct tsmc_link *l);
void tsmc_link_abort(struct tsmc_link *l);
void tsmc_link_notify(struct tsmc_link *l);
void tsmc_links_wake(struct tsmc_pair *p);
void tsmc_links_kill(struct tsmc_pair *p);
void tsmc_link_sk_closed(struct tsmc_link *l);
void tsmc_link_peer_closed(struct tsmc_pair *p, u32 conn_id, bool peer_active);
void tsmc_link_show(struct seq_file *seq, struct tsmc_pair *p,
		    struct tsmc_link *l);
int tsmc_links_scribble(struct tsmc_pair *p);
int tsmc_procfs_init(void);
void tsmc_procfs_exit(void);

/* tsmc_proto.c: the socket switch (proto override) */
int tsmc_proto_switch(struct tsmc_link *l, struct sock *sk);
void tsmc_proto_unswitch(struct sock *sk);

/* tsmc_ctl.c: control messages */
int tsmc_ctl_send(struct tsmc_pair *p, u16 type, const void *body,
		  size_t len);
int tsmc_ctl_send_hello(struct tsmc_pair *p);
void tsmc_ctl_rx_work(struct work_struct *work);
int tsmc_ctl_ping(struct tsmc_pair *p, unsigned int count,
		  struct tsmc_ping_result *res);
int tsmc_ctl_inject(struct tsmc_pair *p, const char *kind);

/* tsmc_conn.c: per-connection OFFER/ACCEPT/REJECT */
void tsmc_conn_init(struct tsmc_pair *p);
int tsmc_conn_doorbell(struct tsmc_pair *p, struct sock *sk,
		       const struct tsmc_ctl_tuple *t, u32 isn, u32 peer_isn,
		       bool active);
int tsmc_conn_rx(struct tsmc_pair *p, const struct tsmc_ctl_msg *m);
void tsmc_conn_expire(struct work_struct *work);
void tsmc_conn_flush(struct tsmc_pair *p);
int tsmc_conn_inject_offer(struct tsmc_pair *p, bool malformed);
void tsmc_conn_inject_lie(struct tsmc_pair *p, enum tsmc_lie lie);
int tsmc_conn_stats_show(struct tsmc_pair *p, char *buf, int at);

/* tsmc_doorbell.c: BPF -> module doorbells (uapi tsmc_xen/doorbell.h) */
int tsmc_doorbell_init(void);
void tsmc_doorbell_exit(void);
int tsmc_doorbell_show(char *buf);
int tsmc_doorbell_candidates_show(char *buf);
#ifdef TSMC_DB_KFUNC	/* Kbuild: kernel >= 6.2 */
struct bpf_sock_ops_kern;
/* Called by BPF programs only; declared for -Wmissing-prototypes. */
int tsmc_xen_doorbell(struct bpf_sock_ops_kern *skops, u32 peer_domid,
		      u32 flags);
#endif

/* tsmc_sysfs.c */
int tsmc_sysfs_init(void);
void tsmc_sysfs_exit(void);

#endif /* _TSMC_XEN_PRIV_H */
