#!/bin/bash
# Host-side test of lib/select.sh: which scenarios `make lab` and `make
# check` take per guest kernel.
set -u
cd "$(dirname "$0")/.." || exit 1
. lib/select.sh
pass=0 fail=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
conf() { mkdir -p "$T/$1" && printf '%s\n' "${@:2}" >"$T/$1/scenario.conf"; }
conf plain 'TIMEOUT=60'
conf bench 'BENCH=1'
conf self 'SELFTEST=1'
conf perf 'PERF=1'
conf dom0only 'CHECK_KERNELS="6.1"'
conf both 'CHECK_KERNELS="6.1 6.12"'
want() {
	local got
	got=$(default_scenarios "$T" "$1" "$2" | xargs)
	if [ "$got" = "$3" ]; then echo "ok   $1 $2: $got"; pass=$((pass + 1)); else
		echo "FAIL $1 $2: got '$got', want '$3'"; fail=$((fail + 1)); fi
}
want 6.1 lab "both dom0only perf plain"
want 6.12 lab "both dom0only perf plain"
want 6.1 check "both dom0only plain"
want 6.12 check "both plain"
[ $fail = 0 ]
