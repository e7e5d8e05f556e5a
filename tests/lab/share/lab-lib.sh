# shellcheck shell=sh
# Helpers for scenario parts, sourced in dom0 and in the guests (busybox sh).
# The runner sets LAB_SCEN (scenario), LAB_ROLE (dom0, a, b, c), LAB_MYID
# (own domid), LAB_TIMEOUT, and for every booted guest DOMID_<R>, IP_<R>
# and IP6_<R> (IPv4 and IPv6 on the bridge).

lab_base() { echo "/local/domain/$LAB_MYID/data/lab/$LAB_SCEN"; }

# lab_metric NAME VALUE: one measurement (a number) -> results.jsonl.
lab_metric() {
	echo "lab: metric $1 = $2"
	xenstore-write "$(lab_base)/metric/$1" "$2"
}

# lab_verdict pass|fail [REASON]: this part's verdict; the last call wins.
lab_verdict() {
	case $1 in pass | fail) ;; *) echo "lab_verdict: want pass|fail, got '$1'" >&2; return 2 ;; esac
	echo "lab: verdict $1 ${2:-}"
	xenstore-write "$(lab_base)/reason" "${2:-}"
	xenstore-write "$(lab_base)/verdict" "$1"
}

# lab_fail REASON: verdict fail and stop this part.
lab_fail() {
	lab_verdict fail "$1"
	exit 1
}

# Waits are in wall-clock seconds, never loop counts: under TCG every
# iteration (a fork, a xenstore round trip) is slow and its cost varies.
# lab_deadline SECONDS: the second (date +%s) a wait of SECONDS ends at,
# one more for the clock's 1 s steps, so a wait is never shorter;
# lab_before DEADLINE: that second has not come yet.
lab_deadline() { echo $(($(date +%s) + $1 + 1)); }
lab_before() { [ "$(date +%s)" -lt "$1" ]; }

# lab_put KEY VALUE / lab_get KEY [SECONDS]: exchange values between the parts
# of one scenario (a scenario-private xenstore directory all parts can use).
lab_put() { xenstore-write "/local/lab/$LAB_SCEN/$1" "$2"; }
lab_get() {
	_gend=$(lab_deadline "${2:-30}")
	while :; do
		if xenstore-exists "/local/lab/$LAB_SCEN/$1" 2>/dev/null; then
			xenstore-read "/local/lab/$LAB_SCEN/$1"
			return 0
		fi
		lab_before "$_gend" || break
		sleep 0.2
	done
	echo "lab_get: no '$1' after ${2:-30}s" >&2
	return 1
}

# lab_tool_value FILE NAME: value of a "name value" line printed by tests/tools.
lab_tool_value() { awk -v k="$2" '$1 == k {print $2; exit}' "$1"; }

# iperf3_gbps LOG: the receiver's rate in an iperf3 client log (-f m), in
# Gbit/s; fails if the log has none.
iperf3_gbps() {
	awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i }
		END { if (v == "") exit 1; printf "%.3f\n", v / 1000 }' "$1"
}

# redis_start: Debian's redis-server, unchanged, on port 6379 (all
# addresses, no persistence, no protected mode: the lab has no password).
redis_start() {
	redis-server --port 6379 --bind '* -::*' --protected-mode no --save '' \
		--appendonly no --daemonize no >/tmp/redis-srv.log 2>&1 &
	REDIS_PID=$!
}

redis_stop() { kill "$REDIS_PID" 2>/dev/null; }

# redis_check HOST: a 96 KiB random value SET and read back by redis-cli
# equals itself; then redis-benchmark's SET and GET rates (4 clients, 1000
# requests each) as "set_rps N" / "get_rps N" lines. On any error, its
# last line says which step failed (CI shows only the failure reason).
redis_check() {
	head -c 73728 /dev/urandom | base64 -w0 >/tmp/redis-val || { echo "redis: no random value"; return 1; }
	timeout 120 redis-cli -h "$1" -x set tsmc-lab-key </tmp/redis-val >/tmp/redis-set.out 2>&1
	grep -qx OK /tmp/redis-set.out || { echo "redis: SET answered '$(head -c 80 /tmp/redis-set.out)'"; return 1; }
	timeout 120 redis-cli -h "$1" --raw get tsmc-lab-key >/tmp/redis-got 2>&1 || { echo "redis: GET exit $?"; return 1; }
	echo >>/tmp/redis-val
	cmp -s /tmp/redis-val /tmp/redis-got || { echo "redis: value read back differs"; return 1; }
	# 2 x 1000 requests: ~40 s at the slowest rate seen in CI (55 per s).
	timeout 300 redis-benchmark -h "$1" -p 6379 -c 4 -n 1000 -t set,get -q >/tmp/redis-bench.log 2>&1 ||
		{ echo "redis: redis-benchmark exit $?"; return 1; }
	tr '\r' '\n' </tmp/redis-bench.log | awk '
		$1 == "SET:" { s = $2 } $1 == "GET:" { g = $2 }
		END { if (s == "" || g == "") { print "redis: no SET/GET rate from redis-benchmark"; exit 1 }
			print "set_rps " s; print "get_rps " g }'
}

# lab_phase NAME: a line with the seconds since boot in the part's log, to
# see where a scenario's time goes.
lab_phase() { echo "== $1 at $(cut -d' ' -f1 /proc/uptime) s"; }
