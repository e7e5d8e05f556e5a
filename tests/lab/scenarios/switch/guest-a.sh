# Client side: the same unchanged tools as the netfront scenario.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
tsmc_up "$DOMID_B"
await b-ready 60 >/dev/null || fail "b not ready"

# switched N: wait until N connections have switched on our side
switched() { wait_field "$DOMID_B" switched "$1" 10 || fail "$2: not switched"; }

lab_phase ping-pong
timeout 120 tcp_pingpong client -c "$IP_B" -p 5001 -s 64 -n 300 >/tmp/pp.log || { cat /tmp/pp.log; fail_state "ping-pong failed"; }
cat /tmp/pp.log
switched 1 "ping-pong"
lab_metric tsmc_rr64_rtt_us "$(lab_tool_value /tmp/pp.log rtt_us_avg)"
timeout 120 tcp_pingpong client -c "$IP6_B" -p 5001 -s 64 -n 300 >/tmp/pp.log || { cat /tmp/pp.log; fail_state "ping-pong v6 failed"; }
switched 2 "ping-pong v6"

lab_phase stream
lab_put a-stream-start 1
await vif-before 30 >/dev/null || fail "dom0 did not count"
timeout 600 tcp_stream_sha client -c "$IP_B" -p 5004 -B 1G >/tmp/ss.log
rc=$?
lab_put a-stream-end 1
cat /tmp/ss.log
[ $rc = 0 ] || fail_state "stream client exit $rc"
switched 3 "stream"
lab_metric tsmc_stream_gbps "$(lab_tool_value /tmp/ss.log gbps)"
[ "$(await b-bytes 60)" = 1073741824 ] || fail "b got $(await b-bytes 1) bytes, want 1073741824"
[ "$(await b-sha 5)" = "$(lab_tool_value /tmp/ss.log sha256)" ] || fail "sha256 differs"
pk=$(await vif-packets 30) || fail "dom0 did not count"
lab_metric stream_vif_packets "$pk"
# 1 GiB is at least 740000 full-size TCP segments on the vif.
[ "$pk" -lt 74000 ] || fail "the vif carried $pk packets: the stream did not leave TCP"

# iperf NAME ARGS...: unchanged iperf3 (1 or 4 streams, either way), the
# receiver's rate as metric NAME in Gbit/s
iperf() {
	_m=$1
	shift
	timeout 60 iperf3 -c "$IP_B" -p 5201 -t 5 -f m "$@" >/tmp/iperf3.log 2>&1 ||
		{ cat /tmp/iperf3.log; fail_state "iperf3 $* failed"; }
	cat /tmp/iperf3.log
	lab_metric "$_m" "$(iperf3_gbps /tmp/iperf3.log)"
}
lab_phase iperf3
n=$(pair_field "$DOMID_B" switched)
iperf tsmc_iperf3_gbps
iperf tsmc_iperf3_r_gbps -R
iperf tsmc_iperf3_p4_gbps -P 4
iperf tsmc_iperf3_p4_r_gbps -P 4 -R
# iperf3's control connection and each data stream switched.
switched $((n + 2 + 2 + 5 + 5)) "iperf3"

lab_phase crr
timeout 60 tcp_crr client -c "$IP_B" -p 5003 -d 3 >/tmp/crr.log || { cat /tmp/crr.log; fail_state "tcp_crr failed"; }
cat /tmp/crr.log
lab_metric tsmc_crr_per_s "$(lab_tool_value /tmp/crr.log crr_per_s)"

lab_phase redis
# Unchanged redis-server and redis-cli/redis-benchmark from Debian.
n=$(pair_field "$DOMID_B" switched)
redis_check "$IP_B" >/tmp/redis.log || { cat /tmp/redis-bench.log; fail_state "$(tail -n1 /tmp/redis.log)"; }
cat /tmp/redis.log
lab_metric tsmc_redis_set_rps "$(lab_tool_value /tmp/redis.log set_rps)"
lab_metric tsmc_redis_get_rps "$(lab_tool_value /tmp/redis.log get_rps)"
lab_metric redis_switched $(($(pair_field "$DOMID_B" switched) - n))
# redis-cli twice, redis-benchmark's 4 clients per test and its own.
[ $(($(pair_field "$DOMID_B" switched) - n)) -ge 6 ] || fail_state "redis connections were not switched"

# The project's semantics test: on the switched path (IPv4 and IPv6) it
# must print exactly what it prints on plain TCP (loopback in this guest,
# which the module leaves alone: no pair with ourselves).
lab_phase semantics
sem() { timeout 300 tcp_semantics client -t 4 "$@" 2>&1 | tee /dev/console | grep -E '^(ok|FAIL) '; }
tcp_semantics server -t 4 -p 5020 >/dev/null 2>&1 &
sem 127.0.0.1 -p 5020 >/tmp/sem-tcp.log
n=$(pair_field "$DOMID_B" switched)
sem "$IP_B" -p 5010 >/tmp/sem4.log
sem -6 "$IP6_B" -p 5016 >/tmp/sem6.log
for f in /tmp/sem-tcp.log /tmp/sem4.log /tmp/sem6.log; do
	echo "== $f: $(grep -c '^ok ' "$f") ok, $(grep -c '^FAIL ' "$f") FAIL"
	grep '^FAIL ' "$f"
done
[ "$(grep -c '^ok ' /tmp/sem-tcp.log)" -gt 60 ] && ! grep -q '^FAIL ' /tmp/sem-tcp.log ||
	fail "tcp_semantics fails on plain TCP"
# semdiff FILE FAMILY: fail naming the first check that differs from TCP.
semdiff() {
	cmp -s /tmp/sem-tcp.log "$1" && return 0
	diff /tmp/sem-tcp.log "$1"
	fail_state "semantics differ on the switched path ($2): $(diff /tmp/sem-tcp.log "$1" | grep -m1 '^+[^+]' | cut -c2-)"
}
semdiff /tmp/sem4.log IPv4
semdiff /tmp/sem6.log IPv6
lab_metric semantics_switched $(($(pair_field "$DOMID_B" switched) - n))
[ $(($(pair_field "$DOMID_B" switched) - n)) -gt 100 ] || fail "the semantics runs were hardly switched"

# 64 connections at once exceed the pool (45 per pair): the rest stayed
# on TCP, and the semantics above were still those of TCP.
lab_phase end
tsmc-ss -s -p "$DOMID_B" | tee /tmp/tsmc-ss.txt
ex=$(awk '$1 == "pool" && $2 == "exhausted" { print $3 }' /tmp/tsmc-ss.txt)
lab_metric pool_exhausted "$ex"
[ "${ex:-0}" -gt 0 ] || fail "no connection fell back for an exhausted pool"
lab_put a-finished 1
cat "$SYS/pairs" /proc/net/tsmc_xen
wait_field "$DOMID_B" links 0 10 || fail "switched connections left after all closed"
wait_field "$DOMID_B" cuts_bad 0 1 || fail "a cut far from its stream"
pool_idle "$DOMID_B" 5 || fail "ring slots not given back"
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
await b-done 60 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
