# Passive side: its doorbell must describe the same connection as a's,
# mirrored (a's local is our remote, a's ISN is our peer's ISN).
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
tsmc_up "$DOMID_A" fault_inject=1 pool_slots=48
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
	wait_field "$DOMID_A" offers_in "$2" 5 && wait_field "$DOMID_A" accepts_out "$2" 5 &&
		wait_field "$DOMID_A" switched "$2" 5 && wait_field "$DOMID_A" conns 0 5 ||
		fail "$1: OFFER not matched"
	wait_field "$DOMID_A" closes_in "$2" 10 && wait_field "$DOMID_A" links 0 5 &&
		wait_field "$DOMID_A" cuts_bad 0 1 || fail "$1: connection not closed on both ends"
	pool_idle "$DOMID_A" 5 || fail "$1: ring slots not given back"
	lab_put "b-$1" 1
}
check v4 1
check v6 2
await a-lie 60 >/dev/null || fail "a: lie step"
# Our socket was real, its OFFER was not: REJECT, our entry times out.
wait_field "$DOMID_A" rejects_out 1 5 && wait_field "$DOMID_A" accepts_out 2 1 &&
	wait_field "$DOMID_A" wait_timeouts 1 8 && wait_field "$DOMID_A" conns 0 1 ||
	fail "lying OFFER: counters"
expect_stats candidate=3 doorbell_err=0 || fail "program counters"
lab_put b-lie 1
await a-lie-ring 60 >/dev/null || fail "a: lie-ring step"
# An OFFER naming slots a never granted: REJECT, no ring of ours taken.
wait_field "$DOMID_A" bad_ring 1 5 && wait_field "$DOMID_A" rejects_out 2 5 &&
	wait_field "$DOMID_A" accepts_out 2 1 && wait_field "$DOMID_A" conns 0 5 ||
	fail "lie-ring: counters"
pool_idle "$DOMID_A" 5 || fail "lie-ring: a ring slot was taken"
lab_put b-lie-ring 1
await a-forged 60 >/dev/null || fail "a: forged OFFERs"
wait_field "$DOMID_A" rejects_out 4 5 && wait_field "$DOMID_A" accepts_out 2 1 &&
	wait_field "$DOMID_A" conns 0 5 || fail "forged OFFERs: counters"
[ "$(pair_state "$DOMID_A")" = connected ] || fail "pair did not survive forged OFFERs"
lab_put b-forged 1
await a-fill-b 60 >/dev/null || fail "a: full pool step"
pool_fill "$DOMID_A" || fail "could not fill our pool"
lab_put b-full 1
await a-full-done 60 >/dev/null || fail "a: full pool on our side"
wait_field "$DOMID_A" pool_exhausted 1 5 && wait_field "$DOMID_A" rejects_out 5 5 &&
	wait_field "$DOMID_A" accepts_out 2 1 || fail "full pool: counters"
echo "$DOMID_A 0" >"$SYS/pool_hold" || fail "pool_hold release"
pool_idle "$DOMID_A" 5 || fail "full pool: slots not given back"
lab_put b-full-done 1
await a-finished 60 >/dev/null || fail "a did not finish"
cat "$SYS/pairs" /proc/net/tsmc_xen
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
lab_put b-done pass
lab_verdict pass
