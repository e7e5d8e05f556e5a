# Servers, opened after the program is attached (only those get the option).
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
tsmc_up "$DOMID_A"
tcp_pingpong server -b :: -p 5001 >/dev/null 2>&1 &
tcp_crr server -b :: -p 5003 >/dev/null 2>&1 &
iperf3 -s -p 5201 >/dev/null 2>&1 &
sleep 1
lab_put b-ready 1
await a-finished $((LAB_TIMEOUT - 60)) >/dev/null || fail "a did not finish"
wait_field "$DOMID_A" links 0 10 || fail "switched connections left after all closed"
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
lab_put b-done pass
lab_verdict pass
