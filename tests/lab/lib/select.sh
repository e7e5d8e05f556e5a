# shellcheck shell=bash
# Which scenarios a run takes by default. scenario.conf flags:
#   SELFTEST=1  only check.sh's failure self-test runs it;
#   BENCH=1     figures only: `make bench`;
#   PERF=1      a figure `make lab` prints (netfront next to tsmc), no
#               proof: `make check` leaves it out to stay within CI time;
#   CHECK_KERNELS="6.1"  `make check` runs it on these guest kernels only
#               (dom0-only tests: dom0's kernel is 6.1 in every run).

# default_scenarios DIR KERNEL MODE: MODE lab or check; names, one per line.
default_scenarios() {
	local dir=$1 kernel=$2 mode=$3 c
	for c in "$dir"/*/scenario.conf; do
		grep -Eq '^(SELFTEST|BENCH)=1' "$c" && continue
		if [ "$mode" = check ]; then
			grep -Eq '^PERF=1' "$c" && continue
			local ks
			ks=$(sed -n 's/^CHECK_KERNELS="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$c")
			[ -z "$ks" ] || [[ " $ks " == *" $kernel "* ]] || continue
		fi
		basename "$(dirname "$c")"
	done
}
