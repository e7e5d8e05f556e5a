# Passive side: its doorbell must describe the same connection as a's,
# mirrored (a's local is our remote, a's ISN is our peer's ISN).
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
await provisioned 60 >/dev/null || fail "dom0 did not provision"
unload_module 2>/dev/null
dmesg -c >/dev/null
insmod "$KO" || fail "insmod failed"
wait_state "$DOMID_A" connected 30 || fail "pair did not connect"
tsmc-bpf || fail "tsmc-bpf attach failed"
[ "$(bpf_doorbell)" = "$(want_doorbell)" ] ||
	fail "loader picked '$(bpf_doorbell)' on $(uname -r), want $(want_doorbell)"
tcp_pingpong server -b 0.0.0.0 -p 5101 >/dev/null &
tcp_pingpong server -b :: -p 5106 >/dev/null &
sleep 1
lab_put b-ready 1

# check STEP N: our Nth doorbell mirrors the line a published for STEP
check() {
	a_line=$(await "a-$1" 60) || fail "a: $1 step"
	me=$(sed -n "${2}p" "$SYS/candidates")
	echo "a: $a_line"
	echo "b: $me"
	[ "$(field "$me" side)" = passive ] && [ "$(field "$me" peer)" = "$DOMID_A" ] &&
		[ "$(field "$me" via)" = "$(want_doorbell)" ] && [ "$(field "$me" result)" = taken ] &&
		[ "$(field "$me" local)" = "$(field "$a_line" remote)" ] &&
		[ "$(field "$me" remote)" = "$(field "$a_line" local)" ] &&
		[ "$(field "$me" isn)" = "$(field "$a_line" peer_isn)" ] &&
		[ "$(field "$me" peer_isn)" = "$(field "$a_line" isn)" ] ||
		fail "$1: doorbell on b does not mirror a's"
	[ "$(doorbell_count taken)" = "$2" ] || fail "$1: taken=$(doorbell_count taken), want $2"
	lab_put "b-$1" 1
}
check v4 1
check v6 2
expect_stats candidate=2 doorbell_err=0 || fail "program counters"
await a-finished 60 >/dev/null || fail "a did not finish"
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
lab_put b-done pass
lab_verdict pass
