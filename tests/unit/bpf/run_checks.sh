#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the loader CLI tests and the host handshake tests (in a private mount
# namespace, so a bpffs mounted for the test vanishes with it), then print
# one line "N passed, M failed" summing both. A suite that dies without its
# own summary line counts as one failure.
# Usage: run_checks.sh PATH/TO/tsmc-bpf PATH/TO/handshake_test
set -u
LOADER=${1:?usage: run_checks.sh LOADER HANDSHAKE_TEST}
HS=${2:?usage: run_checks.sh LOADER HANDSHAKE_TEST}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$here/cli_test.sh" "$LOADER" | tee "$tmp/cli"
# unshare execs the test (no fork): $! is the test's pid, which names its
# cgroups. Network namespaces and pins live in the private mount namespace
# and go with it; cgroups of a test that died are removed here.
unshare -m --propagation private "$HS" >"$tmp/hs" &
pid=$!
tail -f --pid=$pid "$tmp/hs" 2>/dev/null
wait $pid
for d in $(grep ' cgroup2 ' /proc/self/mounts | cut -d' ' -f2); do
	[ -d "$d/tsmc-test-$pid" ] || continue
	rmdir "$d/tsmc-test-$pid"/* "$d/tsmc-test-$pid" 2>/dev/null
	echo "run_checks: removed cgroups left by test pid $pid" >&2
done

passed=0 failed=0
for f in "$tmp/cli" "$tmp/hs"; do
	line=$(tail -n1 "$f" | grep -E '^[0-9]+ passed, [0-9]+ failed$')
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		continue
	fi
	# shellcheck disable=SC2086 # split "N passed, M failed" into words
	set -- $line
	passed=$((passed + $1))
	failed=$((failed + $3))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
