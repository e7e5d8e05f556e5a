#!/bin/bash
# Run each part's `make check`, keep going after a failure so one run shows
# every broken part, and print the summed "N passed, M failed" line last.
# Usage: run-checks.sh DIR...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logdir=$top/tests/out
mkdir -p "$logdir"
passed=0 failed=0 broken=()
for dir in "$@"; do
	name=${dir//\//_}
	log=$logdir/check-$name.log
	echo "=== make -C $dir check"
	start=$SECONDS
	make -C "$top/$dir" check 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	if [ -z "$line" ]; then
		echo "=== $dir: no 'N passed, M failed' line: counted as one failure"
		p=0 f=1
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
	[ "$rc" = 0 ] && [ "$f" = 0 ] || broken+=("$dir")
	echo "=== $dir: rc=$rc, $p passed, $f failed, $((SECONDS - start)) s"
done
[ ${#broken[@]} = 0 ] || echo "FAILED parts: ${broken[*]} (logs in tests/out/)"
echo "$passed passed, $failed failed"
[ ${#broken[@]} = 0 ]
