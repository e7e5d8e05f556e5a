# Client side: RTT, iperf3 both directions, connect rate, redis, 256 MiB
# sha256 stream.
. /lab/lab-lib.sh
lab_get b_ready 60 >/dev/null || lab_fail "server guest b never became ready"
ping -c 1 -W 5 "$IP_B" >/dev/null || lab_fail "no ping reply from b ($IP_B)"

tcp_pingpong client -c "$IP_B" -p 5001 -s 64 -n 300 >/tmp/pp.log || lab_fail "tcp_pingpong failed"
cat /tmp/pp.log
lab_metric rr64_rtt_us "$(lab_tool_value /tmp/pp.log rtt_us_avg)"
lab_metric rr64_rtt_p99_us "$(lab_tool_value /tmp/pp.log rtt_us_p99)"

# iperf3 receiver-side rate in Mbit/s -> Gbit/s.
iperf() {
	iperf3 -c "$IP_B" -p 5201 -t 5 -f m "$@" >/tmp/iperf3.log 2>&1 || { cat /tmp/iperf3.log; return 1; }
	cat /tmp/iperf3.log
	iperf3_gbps /tmp/iperf3.log
}
v=$(iperf) || lab_fail "iperf3 a->b failed"
lab_metric iperf3_a_to_b_gbps "$(echo "$v" | tail -n1)"
v=$(iperf -R) || lab_fail "iperf3 b->a failed"
lab_metric iperf3_b_to_a_gbps "$(echo "$v" | tail -n1)"

tcp_crr client -c "$IP_B" -p 5003 -d 3 >/tmp/crr.log || lab_fail "tcp_crr failed"
cat /tmp/crr.log
lab_metric crr_per_s "$(lab_tool_value /tmp/crr.log crr_per_s)"

redis_check "$IP_B" >/tmp/redis.log || { cat /tmp/redis-bench.log; lab_fail "$(tail -n1 /tmp/redis.log)"; }
lab_metric redis_set_rps "$(lab_tool_value /tmp/redis.log set_rps)"
lab_metric redis_get_rps "$(lab_tool_value /tmp/redis.log get_rps)"

tcp_stream_sha client -c "$IP_B" -p 5004 -B 256M >/tmp/ss.log
rc=$?
cat /tmp/ss.log
lab_put a_sha "$(lab_tool_value /tmp/ss.log sha256)"
lab_put a_done 1
[ $rc = 0 ] && [ "$(lab_tool_value /tmp/ss.log match)" = yes ] || lab_fail "256 MiB stream: sha256 mismatch or error"
lab_metric tcp_stream_gbps "$(lab_tool_value /tmp/ss.log gbps)"
lab_verdict pass
