# shellcheck shell=bash
# Turn the serial log's "@@LAB" and "@@LOG" lines into results.jsonl, log
# files and a table.

# Kernel column label: "6.1", or "6.1-pvh" for PVH guests.
klabel() { if [ "${LAB_GUEST:-pv}" = pv ]; then echo "$LAB_KERNEL"; else echo "$LAB_KERNEL-$LAB_GUEST"; fi; }

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# parse_serial RUN_JSONL: writes one JSON object per metric/verdict; splits logs.
parse_serial() {
	local out=$1 serial=$LAB_OUT/serial.log
	tr -d '\r' <"$serial" | awk -v dir="$LAB_OUT/logs" '
		/^@@LOG begin / { f = dir "/" $3; printf "" > f; inlog = 1; next }
		/^@@LOG end /   { close(f); inlog = 0; next }
		inlog           { print >> f }' 
	: >"$out"
	local scen kind name value rest k
	k=$(klabel)
	while read -r _ scen kind name value rest; do
		case $kind in
		metric)
			[[ $value =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] || continue
			printf '{"scenario":%s,"kernel":%s,"metric":%s,"value":%s}\n' \
				"$(json_str "$scen")" "$(json_str "$k")" "$(json_str "$name")" "$value" >>"$out" ;;
		verdict)
			printf '{"scenario":%s,"kernel":%s,"verdict":%s,"reason":%s}\n' \
				"$(json_str "$scen")" "$(json_str "$k")" "$(json_str "$name")" \
				"$(json_str "$value${rest:+ $rest}")" >>"$out" ;;
		esac
	done < <(tr -d '\r' <"$serial" | grep -a '^@@LAB ')
}

# check_verdicts RUN_JSONL: every selected scenario must have a pass verdict;
# a scenario without one gets a fail line naming why.
check_verdicts() {
	local out=$1 s v rc=0
	for s in $LAB_SCENARIOS; do
		v=$(grep -F "\"scenario\":\"$s\"" "$out" | grep -o '"verdict":"[a-z]*"' | tail -n1 | cut -d'"' -f4)
		if [ -z "$v" ]; then
			printf '{"scenario":"%s","kernel":"%s","verdict":"fail","reason":%s}\n' \
				"$s" "$(klabel)" "$(json_str "no verdict: $2")" >>"$out"
			rc=1
		elif [ "$v" != pass ]; then
			rc=1
		fi
	done
	return $rc
}

# print_table JSONL: scenario x metric rows, one column per kernel.
print_table() {
	awk '
	function field(k,   m) { if (match($0, "\"" k "\":(\"[^\"]*\"|[^,}]*)")) { m = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3); gsub(/"/, "", m); return m } return "" }
	{
		s = field("scenario"); k = field("kernel"); m = field("metric")
		if (m == "") { m = "verdict"; v = field("verdict") } else v = field("value")
		row = s "|" m
		if (!(row in seen)) { seen[row] = 1; rows[++nr] = row }
		if (!(k in kseen)) { kseen[k] = 1; ks[++nk] = k }
		val[row, k] = v
	}
	END {
		printf "%-16s %-22s", "scenario", "metric"
		for (j = 1; j <= nk; j++) printf " %14s", ks[j]
		printf "\n"
		for (i = 1; i <= nr; i++) {
			split(rows[i], p, "|")
			printf "%-16s %-22s", p[1], p[2]
			for (j = 1; j <= nk; j++) printf " %14s", ((rows[i], ks[j]) in val) ? val[rows[i], ks[j]] : "-"
			printf "\n"
		}
	}' "$1"
}

# print_compare JSONL: per kernel, tsmc (scenario switch) against netfront,
# both measured in the same boot, and the side-by-side scenario's medians
# (plain and tsmc rounds alternating), with the issue 8 targets.
print_compare() {
	awk '
	function field(k,   m) { if (match($0, "\"" k "\":(\"[^\"]*\"|[^,}]*)")) { m = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3); gsub(/"/, "", m); return m } return "" }
	{ m = field("metric"); if (m != "") { k = field("kernel"); v[k, m] = field("value"); ks[k] = 1 } }
	function ratio(k, a, b) { return ((k, a) in v && (k, b) in v && v[k, b] + 0 > 0) ? sprintf("%.2f", v[k, a] / v[k, b]) : "-" }
	END {
		for (k in ks) {
			if (!((k, "tsmc_rr64_rtt_us") in v) || !((k, "rr64_rtt_us") in v)) continue
			printf "tsmc (scenario switch) vs netfront (scenario netfront), %s, same boot:\n", k
			printf "  throughput, iperf3 1 stream: %sx, 4 streams: %sx (target >= 8x)\n", ratio(k, "tsmc_iperf3_gbps", "iperf3_a_to_b_gbps"), ratio(k, "tsmc_iperf3_p4_gbps", "iperf3_a_to_b_gbps")
			printf "  64 B round trip: netfront/tsmc %sx (target >= 8x)\n", ratio(k, "rr64_rtt_us", "tsmc_rr64_rtt_us")
			printf "  connect+accept+close rate: %sx (target >= 0.8x)\n", ratio(k, "tsmc_crr_per_s", "crr_per_s")
			printf "  redis-benchmark GET rate: %sx, SET rate: %sx (no target)\n", ratio(k, "tsmc_redis_get_rps", "redis_get_rps"), ratio(k, "tsmc_redis_set_rps", "redis_set_rps")
		}
		for (k in ks) {
			if (!((k, "sbs_tsmc_rtt") in v) || !((k, "sbs_plain_rtt") in v)) continue
			printf "tsmc vs plain TCP over netfront, %s, side by side (scenario side-by-side, medians of 3 rounds):\n", k
			printf "  throughput, iperf3 1 stream: %sx (target >= 8x)\n", ratio(k, "sbs_tsmc_gbps", "sbs_plain_gbps")
			printf "  64 B round trip: netfront/tsmc %sx (target >= 8x)\n", ratio(k, "sbs_plain_rtt", "sbs_tsmc_rtt")
			printf "  connect+accept+close rate: %sx (target >= 0.8x)\n", ratio(k, "sbs_tsmc_crr", "sbs_plain_crr")
		}
		for (k in ks)
			if ((k, "provision_ms") in v)
				printf "tsmc-xenctl, %s: provision %s ms, policy cleanup %s ms, cleanup after xl destroy %s ms (target <= 1000 ms each)\n", k, v[k, "provision_ms"], ((k, "policy_cleanup_ms") in v) ? v[k, "policy_cleanup_ms"] : "-", ((k, "destroy_cleanup_ms") in v) ? v[k, "destroy_cleanup_ms"] : "-"
	}' "$1"
}

# print_failures JSONL: every fail verdict with its reason, last, so that
# the tail of a CI log says what broke.
print_failures() {
	awk '
	function field(k,   m) { if (match($0, "\"" k "\":(\"[^\"]*\"|[^,}]*)")) { m = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3); gsub(/"/, "", m); return m } return "" }
	field("verdict") == "fail" { printf "FAILED %s on %s: %s\n", field("scenario"), field("kernel"), field("reason") }' "$1"
}
