# Active side: one connection per family; publishes its doorbell line.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
await provisioned 60 >/dev/null || fail "dom0 did not provision"
unload_module 2>/dev/null
dmesg -c >/dev/null
insmod "$KO" || fail "insmod failed"
wait_state "$DOMID_B" connected 30 || fail "pair did not connect"
tsmc-bpf || fail "tsmc-bpf attach failed"
[ "$(bpf_doorbell)" = "$(want_doorbell)" ] ||
	fail "loader picked '$(bpf_doorbell)' on $(uname -r), want $(want_doorbell)"
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
	lab_put "a-$1" "$me"
	await "b-$1" 60 >/dev/null || fail "b: $1 step"
}
step v4 "$IP_B" 5101 4 1
step v6 "$IP6_B" 5106 6 2
expect_stats candidate=2 doorbell_err=0 || fail "program counters"
lab_put a-finished 1
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
await b-done 60 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
