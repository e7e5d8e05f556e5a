# Server side: every server listens before "b_ready"; a drives the tests.
. /lab/lab-lib.sh
tcp_pingpong server -p 5001 -1 &
pp=$!
iperf3 -s -p 5201 >/tmp/iperf3-srv.log 2>&1 &
ip3=$!
tcp_crr server -p 5003 >/tmp/crr-srv.log &
crr=$!
tcp_stream_sha server -p 5004 >/tmp/ss-srv.log &
ss=$!
redis_start
sleep 1
lab_put b_ready 1
lab_get a_done $((LAB_TIMEOUT - 10)) >/dev/null
wait $ss
ss_rc=$?
kill $pp $ip3 $crr 2>/dev/null
redis_stop
cat /tmp/ss-srv.log
sha=$(lab_tool_value /tmp/ss-srv.log sha256)
bytes=$(lab_tool_value /tmp/ss-srv.log bytes)
a_sha=$(lab_get a_sha 5)
[ "$ss_rc" = 0 ] || lab_fail "stream server exit $ss_rc"
[ "$bytes" = 268435456 ] || lab_fail "stream server got ${bytes:-no} bytes, want 268435456"
[ -n "$sha" ] && [ "$sha" = "$a_sha" ] || lab_fail "sha256 differs: b=$sha a=$a_sha"
lab_verdict pass
