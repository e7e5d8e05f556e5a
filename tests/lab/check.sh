#!/bin/bash
# make check: the lab for both guest kernels, then the failure self-test
# (a run of deliberately failing/hanging/verdict-less scenarios must fail).
# Prints "N passed, M failed" counting scenario verdicts and self-test checks.
set -u
cd "$(dirname "$0")"
pass=0 fail=0
count_run() {
	local f=$1 p n
	p=$(grep -c '"verdict":"pass"' "$f" 2>/dev/null)
	n=$(grep -c '"verdict":"fail"' "$f" 2>/dev/null)
	pass=$((pass + ${p:-0})) fail=$((fail + ${n:-0}))
}
rc_all=0
mkdir -p out
echo "=== harness self-test (host only)"
if { selftest/report-test.sh && selftest/dmesg-test.sh && selftest/select-test.sh; } >out/report-test.log 2>&1; then :; else rc_all=1; fi
cat out/report-test.log
pass=$((pass + $(grep -c '^ok ' out/report-test.log))) fail=$((fail + $(grep -c '^FAIL ' out/report-test.log)))
for k in ${LAB_CHECK_KERNELS:-6.1 6.12}; do
	echo "=== lab, guest kernel $k"
	LAB_MODE=check LAB_KERNEL=$k LAB_RUN=run-$k ./lab.sh || rc_all=1
	if [ -f "out/run-$k/results.jsonl" ]; then count_run "out/run-$k/results.jsonl"; else fail=$((fail + 1)); fi
done

echo "=== self-test: a failing, a hanging and a verdict-less scenario must fail the run"
st=selftest-fail,selftest-hang,selftest-noverdict
if LAB_KERNEL=6.1 LAB_RUN=selftest LAB_SCENARIOS=$st ./lab.sh; then
	echo "FAIL self-test: the run exited 0"
	fail=$((fail + 1))
else
	echo "ok   self-test: the run exited non-zero"
	pass=$((pass + 1))
fi
for s in ${st//,/ }; do
	if grep -F "\"scenario\":\"$s\"" out/selftest/results.jsonl 2>/dev/null | grep -q '"verdict":"fail"' &&
		! grep -F "\"scenario\":\"$s\"" out/selftest/results.jsonl | grep -q '"verdict":"pass"'; then
		echo "ok   self-test: $s failed: $(grep -F "\"scenario\":\"$s\"" out/selftest/results.jsonl | grep -o '"reason":.*')"
		pass=$((pass + 1))
	else
		echo "FAIL self-test: $s has no fail verdict"
		fail=$((fail + 1))
	fi
done
# The self-test's metrics must not leak into the lab's figures.
cat out/run-6.*/results.jsonl >out/results.jsonl 2>/dev/null
echo
echo "=== all kernels"
. lib/report.sh
print_table out/results.jsonl
print_compare out/results.jsonl
print_failures out/results.jsonl
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ $rc_all = 0 ]
