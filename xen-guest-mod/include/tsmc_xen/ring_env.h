/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Per-environment shim for the tsmc ring: the only place that differs
 * between the kernel module and userspace (tests, fuzzer, benchmark).
 * ring.h uses nothing but these macros, the __u32/__le32 types and memcpy.
 *
 * Shared index words are little-endian __le32. Every access goes through
 * a macro that reads or writes the word exactly once (no tearing, no
 * compiler re-fetch).
 *
 *   tsmc_idx_load(p)             relaxed single load, to CPU order
 *   tsmc_idx_load_acquire(p)     ... and later loads/stores stay after it
 *   tsmc_idx_store(p, v)         relaxed single store, from CPU order
 *   tsmc_idx_store_release(p, v) ... and earlier loads/stores stay before it
 *   tsmc_rmb()                   earlier loads before later loads
 *   tsmc_wmb()                   earlier stores before later stores
 *   tsmc_mb()                    full barrier, including store -> load
 */
#ifndef _TSMC_XEN_RING_ENV_H
#define _TSMC_XEN_RING_ENV_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

/*
 * virt_*: the peer is another domain, so the barriers are needed even in
 * a UP build. ring.h comments each use with the order it enforces and the
 * barrier it pairs with.
 */
#define tsmc_idx_load(p)		le32_to_cpu(READ_ONCE(*(p)))
/* load, then everything after it */
#define tsmc_idx_load_acquire(p)	le32_to_cpu(virt_load_acquire(p))
#define tsmc_idx_store(p, v)		WRITE_ONCE(*(p), cpu_to_le32(v))
/* everything before it, then the store */
#define tsmc_idx_store_release(p, v)	virt_store_release(p, cpu_to_le32(v))
/* loads, then later loads */
#define tsmc_rmb()			virt_rmb()
/* stores, then later stores */
#define tsmc_wmb()			virt_wmb()
/* everything, then everything (store -> load included) */
#define tsmc_mb()			virt_mb()

#else /* userspace */

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <linux/types.h>

/*
 * The shared words are plain __le32 in wire.h; C11 atomics need an atomic
 * object, so view the same 32-bit word as one. Lock-free 32-bit atomics
 * have the size and representation of __u32 on every target we build.
 */
/* Wire order is little-endian; no <endian.h> so strict -std=c11 works. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define tsmc__le32(v)		((__u32)(v))
#else
#define tsmc__le32(v)		__builtin_bswap32(v)
#endif

#define tsmc__atomic32(p)	((atomic_uint *)(p))
static_assert(sizeof(atomic_uint) == sizeof(__u32), "atomic_uint is 32-bit");

/*
 * Fuzz builds (tests/fuzz) let the hostile peer rewrite shared memory
 * before every single shared access, i.e. in the middle of an operation.
 */
#ifdef TSMC_RING_FUZZ
void tsmc_fuzz_peer_step(void);
#define tsmc__peer_step()	tsmc_fuzz_peer_step()
#else
#define tsmc__peer_step()	((void)0)
#endif

#define tsmc_idx_load(p) (tsmc__peer_step(), \
	tsmc__le32(atomic_load_explicit(tsmc__atomic32(p), memory_order_relaxed)))
#define tsmc_idx_load_acquire(p) (tsmc__peer_step(), \
	tsmc__le32(atomic_load_explicit(tsmc__atomic32(p), memory_order_acquire)))
#define tsmc_idx_store(p, v) (tsmc__peer_step(), \
	atomic_store_explicit(tsmc__atomic32(p), tsmc__le32(v), \
			      memory_order_relaxed))
#define tsmc_idx_store_release(p, v) (tsmc__peer_step(), \
	atomic_store_explicit(tsmc__atomic32(p), tsmc__le32(v), \
			      memory_order_release))
/* C11 has no load-load-only fence: acquire is the nearest superset. */
#define tsmc_rmb()	atomic_thread_fence(memory_order_acquire)
#define tsmc_wmb()	atomic_thread_fence(memory_order_release)
#define tsmc_mb()	atomic_thread_fence(memory_order_seq_cst)

#endif /* __KERNEL__ */

#endif /* _TSMC_XEN_RING_ENV_H */
