# Server side: unchanged servers, listening before "b-ready".
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
tsmc_up "$DOMID_A"
tcp_pingpong server -b :: -p 5001 >/dev/null &
tcp_crr server -b :: -p 5003 >/dev/null &
tcp_stream_sha server -b :: -p 5004 >/tmp/ss-srv.log &
ss=$!
iperf3 -s -p 5201 >/tmp/iperf3-srv.log 2>&1 &
redis_start
tcp_semantics server -t 4 -p 5010 >/tmp/sem4-srv.log 2>&1 &
tcp_semantics server -6 -t 4 -p 5016 >/tmp/sem6-srv.log 2>&1 &
sleep 1
lab_put b-ready 1
await a-stream-end 1200 >/dev/null || { cat "$SYS/pairs" /proc/net/tsmc_xen; fail "a did not finish its stream"; }
wait $ss || fail "stream server failed"
cat /tmp/ss-srv.log
lab_put b-sha "$(lab_tool_value /tmp/ss-srv.log sha256)"
lab_put b-bytes "$(lab_tool_value /tmp/ss-srv.log bytes)"
await a-finished $((LAB_TIMEOUT - 60)) >/dev/null || fail "a did not finish"
redis_stop
cat "$SYS/pairs" /proc/net/tsmc_xen
wait_field "$DOMID_A" links 0 10 || fail "switched connections left after all closed"
pool_idle "$DOMID_A" 5 || fail "ring slots not given back"
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
lab_put b-done pass
lab_verdict pass
