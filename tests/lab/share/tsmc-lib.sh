# shellcheck shell=sh
# Guest-side helpers for scenarios that load tsmc_xen.ko (pair-channel,
# pair-peer-death): sysfs state, waits, failure reporting.
SYS=/sys/kernel/tsmc_xen
KO=/lab/mod/tsmc_xen.ko

# uptime in milliseconds (busybox date has no %N)
now_ms() { awk '{printf "%d\n", $1 * 1000}' /proc/uptime; }

# pair_state PEER: state of our pair channel with PEER, "" if none
pair_state() {
	sed -n "s/^peer=$1 .*state=\([a-z]*\).*/\1/p" "$SYS/pairs" 2>/dev/null
}

# pair_field PEER NAME: value of NAME=... on the pair line of PEER
pair_field() {
	sed -n "s/^peer=$1 .*[ ]$2=\([^ ]*\).*/\1/p" "$SYS/pairs" 2>/dev/null
}

# wait_field PEER NAME VALUE SECONDS
wait_field() {
	_wend=$(lab_deadline "$4")
	while :; do
		[ "$(pair_field "$1" "$2")" = "$3" ] && return 0
		lab_before "$_wend" || break
		sleep 0.1
	done
	echo "pair with $1: $2 is '$(pair_field "$1" "$2")', not '$3', after $4 s" >&2
	cat "$SYS/pairs" >&2
	return 1
}

# wait_state PEER STATE SECONDS
wait_state() {
	_wend=$(lab_deadline "$3")
	while :; do
		[ "$(pair_state "$1")" = "$2" ] && return 0
		lab_before "$_wend" || break
		sleep 0.05
	done
	echo "pair with $1 is '$(pair_state "$1")', not '$2', after $3 s" >&2
	cat "$SYS/pairs" >&2
	return 1
}

# pool_idle PEER SECONDS: every slot of our pool for PEER is free again
# (no connection ring and no test hold keeps one)
pool_idle() {
	_pend=$(lab_deadline "$2")
	while :; do
		_own=$(pair_field "$1" pool_own)
		[ -n "$_own" ] && [ "$(pair_field "$1" pool_free)" = "$_own" ] && return 0
		lab_before "$_pend" || break
		sleep 0.1
	done
	echo "pool for $1: $(pair_field "$1" pool_free) of $(pair_field "$1" pool_own) free" >&2
	return 1
}

# pool_fill PEER: hold all but 8 of the 48 slots pool_slots=48 allows, so
# no 17-slot connection ring fits; pool_hold PEER 0 gives them back
pool_fill() {
	echo "$1 20" >"$SYS/pool_hold" || return 1
	wait_field "$1" pool_own 48 20 || return 1
	echo "$1 20" >"$SYS/pool_hold" && wait_field "$1" pool_free 8 5
}

# field NAME: value of NAME=... in the ping result
ping_field() { tr ' ' '\n' <"$SYS/ping" | sed -n "s/^$1=//p"; }

. /lab/dmesg-check.sh

# dmesg_clean: no kernel fault in dmesg (saved to /tmp/dmesg.log)
dmesg_clean() {
	dmesg >/tmp/dmesg.log
	! dmesg_faults /tmp/dmesg.log
}

# fail REASON: show the evidence, tell the other parts, give verdict fail
fail() {
	dmesg | tail -n 40
	cat "$SYS/pairs" 2>/dev/null
	lab_put "$LAB_ROLE-done" fail
	lab_fail "$1"
}

# await KEY SECONDS: like lab_get, but gives up at once when the other
# guest has reported failure (its "<role>-done" is "fail").
await() {
	_aend=$(lab_deadline "$2")
	while :; do
		_v=$(xenstore-read "/local/lab/$LAB_SCEN/$1" 2>/dev/null) &&
			{ echo "$_v"; return 0; }
		[ "$(xenstore-read "/local/lab/$LAB_SCEN/$OTHER-done" 2>/dev/null)" = fail ] &&
			{ echo "await $1: guest $OTHER failed" >&2; return 1; }
		lab_before "$_aend" || break
		sleep 0.2
	done
	echo "await: no '$1' after $2 s" >&2
	return 1
}

# bpf_stat NAME: a counter of the attached sockops program (tsmc-bpf --status)
bpf_stat() { tsmc-bpf --status 2>/dev/null | sed -n "s/^stat $1: //p"; }

# bpf_doorbell: the doorbell the attached program uses
bpf_doorbell() { tsmc-bpf --status 2>/dev/null | sed -n 's/^doorbell: //p'; }

# expect_stats NAME=VALUE...: every named counter has exactly that value
expect_stats() {
	for _kv in "$@"; do
		_v=$(bpf_stat "${_kv%%=*}")
		[ "$_v" = "${_kv#*=}" ] || {
			tsmc-bpf --status >&2
			echo "stat ${_kv%%=*} is '$_v', want ${_kv#*=}" >&2
			return 1
		}
	done
}

# field LINE NAME: value of NAME=... in a "name=value ..." line
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# doorbell_count NAME: a counter of /sys/kernel/tsmc_xen/doorbell
doorbell_count() { field "$(cat "$SYS/doorbell" 2>/dev/null)" "$1"; }

# want_doorbell: what the loader must pick with the module loaded. Debian
# 12's 6.1 cannot call a module kfunc from sockops; later kernels can.
want_doorbell() { case $(uname -r) in 6.1.*) echo cc ;; *) echo kfunc ;; esac; }

# unload_module: detach the program first (a kfunc program pins the module),
# then rmmod; the program is freed after an RCU grace period, so retry.
unload_module() {
	tsmc-bpf --detach >/dev/null 2>&1
	_uend=$(lab_deadline 5)
	until rmmod tsmc_xen 2>/dev/null; do
		lab_before "$_uend" || { rmmod tsmc_xen; return 1; }
		sleep 0.1
	done
}

# program_attach DOORBELL: attach the sockops program (a left-over one is
# detached first) and check that the loader picked DOORBELL.
program_attach() {
	command -v tsmc-bpf >/dev/null || fail "tsmc-bpf not built"
	tsmc-bpf --detach >/dev/null 2>&1
	tsmc-bpf || fail "tsmc-bpf attach failed"
	[ "$(bpf_doorbell)" = "$1" ] || fail "loader picked '$(bpf_doorbell)' on $(uname -r), want $1"
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s; 1 if it never succeeded.
wait_until() {
	_uend=$(lab_deadline "$1")
	shift
	until "$@"; do
		lab_before "$_uend" || return 1
		sleep 0.1
	done
}

# both_files A B: both non-empty (clients' exit-code files)
both_files() { [ -s "$1" ] && [ -s "$2" ]; }

# not_connected PEER: the pair with PEER is not (or no longer) connected
not_connected() { [ "$(pair_state "$1")" != connected ]; }

# listening PORT: a TCP socket (v4 or v6) listens on PORT
listening() {
	grep -q ":$(printf %04X "$1") [0-9A-F]*:0000 0A " /proc/net/tcp /proc/net/tcp6
}

# sending_to ADDR:PORT: a switched connection to ADDR:PORT has sent bytes
sending_to() { grep -q "remote=$1 tx_bytes=[1-9]" /proc/net/tsmc_xen; }

# tsmc_up PEER [PARAM...]: once dom0 provisioned the pair, a fresh module
# (PARAMs) paired with PEER and the sockops program with its doorbell.
tsmc_up() {
	await provisioned 60 >/dev/null || fail "dom0 did not provision"
	module_load "$@"
	program_attach "$(want_doorbell)"
}

# fail_state REASON: fail, showing the pairs and the switched connections
# (a hang on the switched path must fail with the state shown).
fail_state() {
	cat "$SYS/pairs" /proc/net/tsmc_xen
	fail "$1"
}

# module_load PEER [PARAM...]: fresh module, pair with PEER connected.
module_load() {
	_peer=$1
	shift
	unload_module 2>/dev/null
	dmesg -c >/dev/null
	insmod "$KO" "$@" || fail "insmod failed"
	wait_state "$_peer" connected 30 || fail "pair did not connect"
}
