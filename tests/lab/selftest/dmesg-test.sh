#!/bin/bash
# Host-side test of share/dmesg-check.sh: a real fault is always reported;
# the stray TCG #DB warning is dropped unless tsmc_xen is in its trace.
set -u
cd "$(dirname "$0")/.."
. share/dmesg-check.sh
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# block FILE WARNING-LINE FRAME: a warning block as the kernel prints it
block() {
	printf '%s\n' '[  472.9] ------------[ cut here ]------------' "[  472.9] $2" \
		'[  472.9] Modules linked in: tsmc_xen(OE) xen_netfront' '[  473.3] Call Trace:' \
		'[  473.3]  <TASK>' "[  473.3]  $3" '[  473.3]  </TASK>' \
		'[  473.3] ---[ end trace 0000000000000000 ]---' >>"$1"
}
db='WARNING: CPU: 0 PID: 33 at arch/x86/kernel/traps.c:1120 exc_debug_kernel+0xca/0x160'
echo '[  468.0] tsmc_xen: pair with domain 5 connected (wire v1)' >"$T/clean"
dmesg_faults "$T/clean" >/dev/null && bad "clean log -> no fault" || ok "clean log -> no fault"
cp "$T/clean" "$T/db"; block "$T/db" "$db" 'create_worker+0x63/0x250'
echo '[  475.9] tsmc_xen: pair with domain 5 removed' >>"$T/db"
dmesg_faults "$T/db" 2>"$T/err" >/dev/null && bad "stray #DB -> dropped" || ok "stray #DB -> dropped"
grep -q 'ignored: stray #DB' "$T/err" && ok "the drop is reported" || bad "the drop is reported"
cp "$T/clean" "$T/ours"; block "$T/ours" "$db" 'tsmc_conn_work+0x12/0x80 [tsmc_xen]'
dmesg_faults "$T/ours" >/dev/null 2>&1 && ok "#DB in tsmc_xen -> fault" || bad "#DB in tsmc_xen -> fault"
cp "$T/db" "$T/warn"
block "$T/warn" 'WARNING: CPU: 1 PID: 7 at net/core/sock.c:1 sk_stream_kill_queues+0x1/0x2' 'tcp_close+0x1/0x2'
dmesg_faults "$T/warn" >"$T/out" 2>/dev/null && ok "other WARNING -> fault" || bad "other WARNING -> fault"
grep -q 'sk_stream_kill_queues' "$T/out" && ok "its line is shown" || bad "its line is shown"
printf '%s\n' '[ 9.0] BUG: kernel NULL pointer dereference, address: 0' >"$T/bug"
dmesg_faults "$T/bug" >/dev/null && ok "BUG outside a block -> fault" || bad "BUG outside a block -> fault"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
