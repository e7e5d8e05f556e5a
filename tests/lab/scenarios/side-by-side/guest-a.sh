# Rounds of plain TCP and tsmc, back to back; medians as metrics.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
tsmc_up "$DOMID_B"
await b-ready 60 >/dev/null || fail "b not ready"

# measure PATH: one round on PATH (plain or tsmc), figures appended to
# /tmp/PATH.{rtt,crr,gbps}; the pair's switched count must rise by most
# connections of a tsmc round and stay put in a plain round.
measure() {
	_n=$(pair_field "$DOMID_B" switched)
	timeout 120 tcp_pingpong client -c "$IP_B" -p 5001 -s 64 -n 100 >/tmp/pp.log || fail_state "$1 ping-pong failed"
	lab_tool_value /tmp/pp.log rtt_us_avg >>"/tmp/$1.rtt"
	timeout 60 tcp_crr client -c "$IP_B" -p 5003 -d 3 >/tmp/crr.log || { cat /tmp/crr.log; fail_state "$1 tcp_crr failed"; }
	lab_tool_value /tmp/crr.log crr_per_s >>"/tmp/$1.crr"
	_c=$(lab_tool_value /tmp/crr.log connections)
	timeout 60 iperf3 -c "$IP_B" -p 5201 -t 5 -f m >/tmp/iperf3.log 2>&1 || { cat /tmp/iperf3.log; fail_state "$1 iperf3 failed"; }
	iperf3_gbps /tmp/iperf3.log >>"/tmp/$1.gbps"
	echo "$1: $(tail -n1 "/tmp/$1.rtt") us, $(tail -n1 "/tmp/$1.crr")/s ($(tr '\n' ' ' </tmp/crr.log)), $(tail -n1 "/tmp/$1.gbps") Gbit/s"
	_d=$(($(pair_field "$DOMID_B" switched) - _n))
	if [ "$1" = plain ]; then
		[ "$_d" = 0 ] || fail_state "a plain round switched $_d connections"
	else
		# of ping-pong, tcp_crr (with its untimed first) and iperf3
		# (control and data): a connection that finds every ring of
		# the pool still busy (a run comes back once both sides closed
		# and RCU let go) stays on TCP while the pool grows.
		_t=$((1 + _c + 1 + 2))
		echo "tsmc round: $_d of $_t connections switched"
		[ "$_d" -ge $((_t * 3 / 4)) ] || fail_state "a tsmc round switched only $_d of $_t connections"
	fi
}
median() { sort -n "$1" | sed -n 2p; }

rm -f /tmp/plain.* /tmp/tsmc.*
for r in 1 2 3; do
	lab_phase "round $r"
	tsmc-bpf --detach >/dev/null 2>&1
	measure plain
	program_attach "$(want_doorbell)"
	measure tsmc
done
for m in rtt crr gbps; do
	lab_metric "sbs_plain_$m" "$(median /tmp/plain.$m)"
	lab_metric "sbs_tsmc_$m" "$(median /tmp/tsmc.$m)"
done
tsmc-ss -s -p "$DOMID_B"
lab_put a-finished 1
wait_field "$DOMID_B" links 0 10 || fail_state "switched connections left after all closed"
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
await b-done 60 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
