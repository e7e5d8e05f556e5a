// SPDX-License-Identifier: GPL-2.0
/*
 * Grant and event-channel operations between two guests. There is no
 * xenbus device between two domUs, and every xenbus_* helper that takes
 * one writes error nodes on failure, so the raw hypercalls are used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>

#include "tsmc_xen.h"

atomic_t tsmc_grants_deferred = ATOMIC_INIT(0);

int tsmc_evtchn_alloc_unbound(domid_t peer, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = peer,
	};
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (err)
		return err;
	*port = op.port;
	return 0;
}

int tsmc_evtchn_bind(domid_t peer, evtchn_port_t remote, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = peer,
		.remote_port = remote,
	};
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
	if (err)
		return err;
	*port = op.local_port;
	return 0;
}

/* Only for a port never bound to an irq: unbind_from_irqhandler closes. */
void tsmc_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &op))
		pr_warn("closing event channel %u failed\n", port);
}

/* Allocate @n zeroed pages and grant each to @peer, writable. */
int tsmc_grant_pages(domid_t peer, struct page **pages, grant_ref_t *refs,
		     unsigned int n)
{
	unsigned int i;
	int ref;

	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto fail;
		ref = gnttab_grant_foreign_access(peer,
						  xen_page_to_gfn(pages[i]), 0);
		if (ref < 0) {
			__free_page(pages[i]);
			pages[i] = NULL;
			goto fail;
		}
		refs[i] = ref;
	}
	return 0;
fail:
	tsmc_ungrant_pages(pages, refs, i);
	return -ENOSPC;
}

/*
 * End the grants. A peer that still maps a page keeps it: the kernel's
 * deferred list then owns the page and frees it once the peer unmaps
 * (or dies), so the memory is never reused under a live mapping.
 */
void tsmc_ungrant_pages(struct page **pages, grant_ref_t *refs,
			unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!pages[i])
			continue;
		if (gnttab_try_end_foreign_access(refs[i])) {
			__free_page(pages[i]);
		} else {
			atomic_inc(&tsmc_grants_deferred);
			gnttab_end_foreign_access(refs[i], pages[i]);
		}
		pages[i] = NULL;
	}
}

#define tsmc_vaddr(page) ((unsigned long)pfn_to_kaddr(page_to_pfn(page)))

/* Unmap in small batches: teardown must not depend on an allocation. */
#define TSMC_UNMAP_BATCH	8

/* Map @n of the peer's grants, one page each (PV: kernel mapping only). */
int tsmc_map_pages(domid_t peer, const grant_ref_t *refs, struct page **pages,
		   grant_handle_t *handles, unsigned int n)
{
	struct gnttab_map_grant_ref *op;
	unsigned int i, ok = 0;
	int err;

	if (!n || n > TSMC_MAP_MAX)
		return -EINVAL;
	op = kcalloc(n, sizeof(*op), GFP_KERNEL);
	if (!op)
		return -ENOMEM;
	err = gnttab_alloc_pages(n, pages);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		gnttab_set_map_op(&op[i], tsmc_vaddr(pages[i]), GNTMAP_host_map,
				  refs[i], peer);
	err = gnttab_map_refs(op, NULL, pages, n);
	for (i = 0; i < n; i++) {
		handles[i] = op[i].handle;
		if (op[i].status == GNTST_okay)
			ok++;
		else
			pr_warn("map of grant %u from domain %u failed: %d\n",
				refs[i], peer, op[i].status);
	}
	if (!err && ok == n)
		goto out;
	/* Unmap exactly the ones that succeeded. */
	for (i = 0; i < n; i++)
		if (op[i].status != GNTST_okay)
			handles[i] = INVALID_GRANT_HANDLE;
	tsmc_unmap_pages(pages, handles, n);
	err = err ? err : -EIO;
out:
	kfree(op);
	return err;
}

void tsmc_unmap_pages(struct page **pages, grant_handle_t *handles,
		      unsigned int n)
{
	struct gnttab_unmap_grant_ref op[TSMC_UNMAP_BATCH];
	struct page *mapped[TSMC_UNMAP_BATCH];
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		if (handles[i] != INVALID_GRANT_HANDLE) {
			gnttab_set_unmap_op(&op[m], tsmc_vaddr(pages[i]),
					    GNTMAP_host_map, handles[i]);
			mapped[m++] = pages[i];
			handles[i] = INVALID_GRANT_HANDLE;
		}
		if (m == TSMC_UNMAP_BATCH || (m && i == n - 1)) {
			if (gnttab_unmap_refs(op, NULL, mapped, m))
				pr_warn("unmapping %u grant pages failed\n", m);
			m = 0;
		}
	}
	gnttab_free_pages(n, pages);
	for (i = 0; i < n; i++)
		pages[i] = NULL;
}

/*
 * Is our end of @port still bound to the peer's? Peer death and a peer
 * that closed its end without a word both leave it unbound or closed.
 */
bool tsmc_evtchn_peer_bound(evtchn_port_t port)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st))
		return false;
	return st.status == EVTCHNSTAT_interdomain;
}
