# Per ring order: one iperf3 stream a->b and the 64 B ping-pong.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
await provisioned 60 >/dev/null || fail "dom0 did not provision"
for o in 16 18 20; do
	lab_put "a-order-$o" 1
	module_load "$DOMID_B" ring_order=$o
	program_attach "$(want_doorbell)"
	await "b-order-$o" 120 >/dev/null || fail "b did not load order $o"
	# The first connection asks the pools for a run: with large runs it
	# finds none yet (POOL_EXHAUSTED, plain TCP) and the pools grow.
	timeout 60 tcp_pingpong client -c "$IP_B" -p 5001 -s 64 -n 5 >/dev/null || fail_state "warm-up failed"
	sleep 3
	n=$(pair_field "$DOMID_B" switched)
	timeout 60 iperf3 -c "$IP_B" -p 5201 -t 5 -f m >/tmp/iperf3.log 2>&1 || { cat /tmp/iperf3.log; fail_state "iperf3 at order $o failed"; }
	lab_metric "iperf3_order${o}_gbps" "$(iperf3_gbps /tmp/iperf3.log)"
	timeout 120 tcp_pingpong client -c "$IP_B" -p 5001 -s 64 -n 300 >/tmp/pp.log || fail_state "ping-pong at order $o failed"
	lab_metric "rr64_order${o}_us" "$(lab_tool_value /tmp/pp.log rtt_us_avg)"
	[ $(($(pair_field "$DOMID_B" switched) - n)) -ge 3 ] || fail_state "order $o: not switched"
	lab_put "a-done-$o" 1
	await "b-unloaded-$o" 60 >/dev/null || fail "b did not unload"
	unload_module || fail "rmmod failed"
done
dmesg_clean || fail "kernel warnings"
await b-done 60 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
