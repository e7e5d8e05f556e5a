# Servers; the module is reloaded with a's ring order at each step.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
await provisioned 60 >/dev/null || fail "dom0 did not provision"
for o in 16 18 20; do
	await "a-order-$o" 120 >/dev/null || fail "a did not start order $o"
	module_load "$DOMID_A" ring_order=$o
	program_attach "$(want_doorbell)"
	# Listeners opened after the program: only those get the option.
	iperf3 -s -p 5201 >/dev/null 2>&1 &
	ip3=$!
	tcp_pingpong server -b :: -p 5001 >/dev/null 2>&1 &
	pp=$!
	sleep 1
	lab_put "b-order-$o" 1
	await "a-done-$o" 120 >/dev/null || fail "a did not finish order $o"
	kill $ip3 $pp
	wait_field "$DOMID_A" links 0 10 || fail "links left at order $o"
	unload_module || fail "rmmod failed"
	lab_put "b-unloaded-$o" 1
done
dmesg_clean || fail "kernel warnings"
lab_put b-done pass
lab_verdict pass
