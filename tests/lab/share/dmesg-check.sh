# shellcheck shell=sh
# dmesg_faults FILE: print FILE's kernel fault lines (WARNING, BUG, Oops,
# Call Trace, general protection); status 0 when there is one.
#
# One emulator artifact is left out: QEMU's TCG now and then hands a Xen
# PV guest a stray single-step #DB, which 6.12 reports as a WARNING in
# exc_debug_kernel (arch/x86/kernel/traps.c, "DR_STEP"; seen once, in a
# kworker's kmalloc). That block is dropped only when no frame of its call
# trace is in tsmc_xen; the drop is reported on stderr.
dmesg_faults() {
	awk '
	function flush(i) {
		if (n && db && !ours)
			printf "ignored: stray #DB warning (QEMU TCG), %d lines\n", n >"/dev/stderr"
		else
			for (i = 1; i <= n; i++) print blk[i]
		n = 0; db = 0; ours = 0; inblk = 0
	}
	/-+\[ cut here \]-+/ { flush(); inblk = 1 }
	inblk {
		blk[++n] = $0
		if ($0 ~ /WARNING: .* exc_debug_kernel/) db = 1
		if ($0 ~ /\[tsmc_xen\]/) ours = 1
		if ($0 ~ /---\[ end trace/) flush()
		next
	}
	{ print }
	END { flush() }' "$1" | grep -E 'WARNING|BUG|Oops|Call Trace|general protection'
}
