# Active side: one connection per family; publishes its doorbell line.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
# 48 slots each way: room for two 17-slot rings, so the pool can be filled.
tsmc_up "$DOMID_B" fault_inject=1 pool_slots=48
await b-ready 60 >/dev/null || fail "b not ready"

# step NAME ADDR PORT FAMILY N: connect, then our Nth doorbell must be it
step() {
	tcp_pingpong client -c "$2" -p "$3" -n 20 >/tmp/pp.log 2>&1 || { cat /tmp/pp.log; fail "$1: connection failed"; }
	me=$(sed -n "${5}p" "$SYS/candidates")
	echo "a: $me"
	case $4 in 4) rem="$2:$3" ;; 6) rem="[$2]:$3" ;; esac
	[ "$(field "$me" side)" = active ] && [ "$(field "$me" peer)" = "$DOMID_B" ] &&
		[ "$(field "$me" family)" = "$4" ] && [ "$(field "$me" remote)" = "$rem" ] &&
		[ "$(field "$me" via)" = "$(want_doorbell)" ] && [ "$(field "$me" result)" = taken ] ||
		fail "$1: doorbell line '$me'"
	[ "$(doorbell_count taken)" = "$5" ] || fail "$1: taken=$(doorbell_count taken), want $5"
	# Our OFFER for it was accepted (the socket switched, unless the short
	# connection was closed first: the switch scenario covers switching);
	# once both ends closed, nothing is left and our ring's slots are back.
	wait_field "$DOMID_B" offers_out "$5" 5 && wait_field "$DOMID_B" accepts_in "$5" 5 &&
		wait_field "$DOMID_B" conns 0 5 || fail "$1: OFFER not accepted"
	wait_field "$DOMID_B" cuts_bad 0 1 && wait_field "$DOMID_B" bad_ring 0 1 ||
		fail "$1: b's ring or cut"
	wait_field "$DOMID_B" links 0 10 || fail "$1: connection not closed on both ends"
	pool_idle "$DOMID_B" 5 || fail "$1: ring slots not given back"
	lab_put "a-$1" "$me"
	await "b-$1" 60 >/dev/null || fail "b: $1 step"
}
step v4 "$IP_B" 5101 4 1
step v6 "$IP6_B" 5106 6 2
expect_stats candidate=2 doorbell_err=0 || fail "program counters"
# We lie: the next OFFER names b's ISN + 1. b must not match it to its
# real socket; REJECT, and the connection works as plain TCP.
echo "$DOMID_B lie-isn" >"$SYS/fault" || fail "inject lie-isn"
tcp_pingpong client -c "$IP_B" -p 5101 -n 20 >/tmp/pp.log 2>&1 || { cat /tmp/pp.log; fail "lie: connection failed"; }
wait_field "$DOMID_B" offers_out 3 5 && wait_field "$DOMID_B" rejects_in 1 5 &&
	wait_field "$DOMID_B" accepts_in 2 1 && wait_field "$DOMID_B" stray 0 1 ||
	fail "OFFER with a wrong ISN was not rejected"
pool_idle "$DOMID_B" 5 || fail "lie: ring slots not given back"
lab_put a-lie 1
await b-lie 60 >/dev/null || fail "b: lie step"
# We lie again: the OFFER names ring slots we never granted. REJECT.
echo "$DOMID_B lie-ring" >"$SYS/fault" || fail "inject lie-ring"
tcp_pingpong client -c "$IP_B" -p 5101 -n 20 >/tmp/pp.log 2>&1 || { cat /tmp/pp.log; fail "lie-ring: connection failed"; }
wait_field "$DOMID_B" offers_out 4 5 && wait_field "$DOMID_B" rejects_in 2 5 &&
	wait_field "$DOMID_B" accepts_in 2 1 || fail "OFFER with foreign slots was not rejected"
pool_idle "$DOMID_B" 5 || fail "lie-ring: ring slots not given back"
lab_put a-lie-ring 1
await b-lie-ring 60 >/dev/null || fail "b: lie-ring step"
# Forged: an OFFER for a handshake b never saw is held, then REJECTed; a
# malformed one at once. The pair stays up.
echo "$DOMID_B offer" >"$SYS/fault" || fail "inject offer"
wait_field "$DOMID_B" rejects_in 3 5 && wait_field "$DOMID_B" stray 1 1 ||
	fail "forged OFFER not rejected"
echo "$DOMID_B offer-bad" >"$SYS/fault" || fail "inject offer-bad"
wait_field "$DOMID_B" rejects_in 4 5 || fail "malformed OFFER not rejected"
[ "$(pair_state "$DOMID_B")" = connected ] || fail "pair did not survive forged OFFERs"
lab_put a-forged 1
await b-forged 60 >/dev/null || fail "b: forged OFFERs"
# Our pool has no room for a ring: no OFFER, plain TCP.
pool_fill "$DOMID_B" || fail "could not fill our pool"
tcp_pingpong client -c "$IP_B" -p 5101 -n 20 >/tmp/pp.log 2>&1 || { cat /tmp/pp.log; fail "full pool: connection failed"; }
wait_field "$DOMID_B" pool_exhausted 1 5 && wait_field "$DOMID_B" offers_out 4 1 ||
	fail "full pool on the active side: counters"
echo "$DOMID_B 0" >"$SYS/pool_hold" || fail "pool_hold release"
# b's pool has no room: it REJECTs (POOL_EXHAUSTED), plain TCP.
lab_put a-fill-b 1
await b-full 60 >/dev/null || fail "b could not fill its pool"
tcp_pingpong client -c "$IP_B" -p 5101 -n 20 >/tmp/pp.log 2>&1 || { cat /tmp/pp.log; fail "b's full pool: connection failed"; }
wait_field "$DOMID_B" offers_out 5 5 && wait_field "$DOMID_B" rejects_in 5 5 &&
	wait_field "$DOMID_B" accepts_in 2 1 || fail "full pool on the passive side: counters"
pool_idle "$DOMID_B" 5 || fail "b's full pool: our ring slots not given back"
lab_put a-full-done 1
await b-full-done 60 >/dev/null || fail "b: full pool step"
# A socket that selects the doorbell cc by hand (CAP_NET_ADMIN, program
# detached) must not ring: init() sees no magic in sk_priority.
tsmc-bpf --detach || fail "detach failed"
bad=$(doorbell_count bad_magic) taken=$(doorbell_count taken)
tcp_pingpong client -c "$IP_B" -p 5101 -n 5 -C tsmc_doorbell >/tmp/pp.log 2>&1 ||
	{ cat /tmp/pp.log; fail "connection on the tsmc_doorbell cc failed"; }
[ "$(doorbell_count bad_magic)" = $((bad + 1)) ] && [ "$(doorbell_count taken)" = "$taken" ] ||
	fail "hand-selected cc: $(cat "$SYS/doorbell")"
lab_put a-finished 1
cat "$SYS/pairs" /proc/net/tsmc_xen
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
await b-done 60 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
