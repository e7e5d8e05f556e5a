#!/bin/bash
# Host-side test of lib/report.sh: a synthetic serial log (CRLF, Xen noise,
# log blocks) must give exact JSON lines, and a missing or failed verdict
# must make check_verdicts fail.
set -u
cd "$(dirname "$0")/.."
. lib/common.sh
. lib/report.sh
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LAB_OUT=$T LAB_KERNEL=6.1 LAB_GUEST=pv
mkdir -p "$T/logs"
printf '%s\r\n' '(XEN) noise' '@@LAB boot dom0 up' '@@LAB netfront metric tcp_stream_gbps 0.41' \
	'@@LAB netfront metric bogus not-a-number' '@@LAB netfront verdict pass ' \
	'@@LOG begin xl-dmesg.log' '(XEN) line 1' 'line "2"' '@@LOG end xl-dmesg.log' \
	'@@LAB other verdict fail b:killed-at-time-limit-20s' >"$T/serial.log"
parse_serial "$T/r.jsonl"
want='{"scenario":"netfront","kernel":"6.1","metric":"tcp_stream_gbps","value":0.41}
{"scenario":"netfront","kernel":"6.1","verdict":"pass","reason":""}
{"scenario":"other","kernel":"6.1","verdict":"fail","reason":"b:killed-at-time-limit-20s"}'
[ "$(cat "$T/r.jsonl")" = "$want" ] && ok "serial -> jsonl" || { bad "serial -> jsonl"; cat "$T/r.jsonl"; }
[ "$(cat "$T/logs/xl-dmesg.log")" = "$(printf '(XEN) line 1\nline "2"')" ] && ok "log block split" || bad "log block split"

printf '%s\n' '{"scenario":"netfront","kernel":"6.1","metric":"rr64_rtt_us","value":9000}' \
	'{"scenario":"switch","kernel":"6.1","metric":"tsmc_rr64_rtt_us","value":600}' \
	'{"scenario":"netfront","kernel":"6.1","metric":"crr_per_s","value":40}' \
	'{"scenario":"switch","kernel":"6.1","metric":"tsmc_crr_per_s","value":44}' \
	'{"scenario":"netfront","kernel":"6.1","metric":"redis_get_rps","value":500}' \
	'{"scenario":"switch","kernel":"6.1","metric":"tsmc_redis_get_rps","value":1250}' \
	'{"scenario":"xenctl","kernel":"6.1","metric":"provision_ms","value":1188}' \
	'{"scenario":"xenctl","kernel":"6.1","metric":"destroy_cleanup_ms","value":113}' \
	'{"scenario":"side-by-side","kernel":"6.12","metric":"sbs_plain_rtt","value":12000}' \
	'{"scenario":"side-by-side","kernel":"6.12","metric":"sbs_tsmc_rtt","value":4000}' \
	'{"scenario":"side-by-side","kernel":"6.12","metric":"sbs_plain_crr","value":30}' \
	'{"scenario":"side-by-side","kernel":"6.12","metric":"sbs_tsmc_crr","value":25.5}' \
	'{"scenario":"side-by-side","kernel":"6.12","metric":"sbs_plain_gbps","value":0.08}' \
	'{"scenario":"side-by-side","kernel":"6.12","metric":"sbs_tsmc_gbps","value":0.04}' >"$T/c.jsonl"
print_compare "$T/c.jsonl" >"$T/c.txt"
grep -q 'netfront/tsmc 15.00x' "$T/c.txt" && grep -q 'rate: 1.10x' "$T/c.txt" && grep -q '1 stream: -x' "$T/c.txt" &&
	grep -q 'GET rate: 2.50x, SET rate: -x' "$T/c.txt" &&
	ok "tsmc vs netfront ratios" || { bad "tsmc vs netfront ratios"; cat "$T/c.txt"; }
sed -n '/^tsmc vs plain TCP over netfront, 6.12, side by side/,/rate:/p' "$T/c.txt" >"$T/sbs.txt"
grep -qx '  throughput, iperf3 1 stream: 0.50x (target >= 8x)' "$T/sbs.txt" &&
	grep -qx '  64 B round trip: netfront/tsmc 3.00x (target >= 8x)' "$T/sbs.txt" &&
	grep -qx '  connect+accept+close rate: 0.85x (target >= 0.8x)' "$T/sbs.txt" &&
	! grep -q 'tsmc vs plain TCP over netfront, 6.1,' "$T/c.txt" &&
	ok "side-by-side ratios" || { bad "side-by-side ratios"; cat "$T/c.txt"; }
grep -qx 'tsmc-xenctl, 6.1: provision 1188 ms, policy cleanup - ms, cleanup after xl destroy 113 ms (target <= 1000 ms each)' "$T/c.txt" &&
	ok "xenctl latencies against the target" || { bad "xenctl latencies against the target"; cat "$T/c.txt"; }

LAB_SCENARIOS="netfront" check_verdicts "$T/r.jsonl" x && ok "all pass -> 0" || bad "all pass -> 0"
LAB_SCENARIOS="netfront other" check_verdicts "$T/r.jsonl" x && bad "a fail verdict -> non-zero" || ok "a fail verdict -> non-zero"
cp "$T/r.jsonl" "$T/m.jsonl"
if LAB_SCENARIOS="netfront missing" check_verdicts "$T/m.jsonl" "dom0 died"; then
	bad "missing verdict -> non-zero"
else
	grep -q '"scenario":"missing","kernel":"6.1","verdict":"fail","reason":"no verdict: dom0 died"' "$T/m.jsonl" &&
		ok "missing verdict -> non-zero + fail line" || bad "missing verdict fail line"
fi
print_failures "$T/r.jsonl" >"$T/failed"
[ "$(cat "$T/failed")" = "FAILED other on 6.1: b:killed-at-time-limit-20s" ] && ok "failures listed" ||
	{ bad "failures listed"; cat "$T/failed"; }
print_table "$T/r.jsonl" >"$T/table"
grep -q '^netfront *tcp_stream_gbps *0.41$' "$T/table" && ok "table row" || { bad "table row"; cat "$T/table"; }
echo "$pass passed, $fail failed"
[ $fail = 0 ]
