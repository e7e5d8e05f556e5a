#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host tests of tsmc-ss: run the binary on fixture files, compare stdout
# with expected/ exactly, check the exit status and the stderr message.
# Usage: run_tests.sh BIN WORKDIR. Last line: "N passed, M failed".
set -u

BIN=$1
W=$2			# scratch: generated fixtures and per-case output
F=fixtures
E=expected
pass=0
fail=0

# Sanitizer reports get their own exit status, never mistaken for ours.
export ASAN_OPTIONS=detect_leaks=1:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:exitcode=86

mkdir -p "$W" || exit 1

# verdict RC OUT ERR: the last run ($W/out, $W/err, $got_rc) against the
# wanted exit status, stdout file ("" = must be empty) and stderr text
# ("" = must be empty). Prints the reasons and fails on a mismatch.
verdict() {
	local want_rc=$1 want_out=$2 want_err=$3 bad=0
	if [ "$got_rc" != "$want_rc" ]; then
		echo "    exit status $got_rc, wanted $want_rc"; bad=1
	fi
	if [ -n "$want_out" ]; then
		if [ ! -f "$want_out" ]; then
			echo "    no expected file $want_out"; bad=1
		elif ! diff -u "$want_out" "$W/out" >"$W/diff"; then
			echo "    stdout differs from $want_out:"
			sed 's/^/    /' "$W/diff"; bad=1
		fi
	elif [ -s "$W/out" ]; then
		echo "    stdout not empty:"; sed 's/^/    /' "$W/out"; bad=1
	fi
	if [ -n "$want_err" ]; then
		if ! grep -qF -- "$want_err" "$W/err"; then
			echo "    stderr lacks: $want_err"; bad=1
		fi
	elif [ -s "$W/err" ]; then
		echo "    stderr not empty"; bad=1
	fi
	if grep -qE 'Sanitizer|runtime error' "$W/err"; then
		echo "    sanitizer report"; bad=1
	fi
	[ $bad -eq 1 ] && sed 's/^/    stderr: /' "$W/err"
	return $bad
}

count() {	# count NAME OK
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $1"
	else
		fail=$((fail + 1)); echo "FAIL $1"
	fi
}

# t NAME RC OUT ERR ARGS...: one case.
t() {
	local name=$1 rc=$2 out=$3 err=$4
	shift 4
	"$BIN" "$@" >"$W/out" 2>"$W/err"
	got_rc=$?
	verdict "$rc" "$out" "$err"
	count "$name" $?
}

# Generated fixtures: a NUL byte, and a line far longer than any buffer.
printf 'peer=2 id=5\0 side=active\n' >"$W/nul.proc"
{
	printf 'huge=%0200000d ' 0
	head -n1 "$F/mixed.proc"
	tail -n +2 "$F/mixed.proc"
} >"$W/long.proc"

# Connection table.
t empty               0 $E/empty.out  ""  --proc $F/empty.proc
t empty-no-header     0 ""            ""  -H --proc $F/empty.proc
t ipv4-ipv6           0 $E/mixed.out  ""  --proc $F/mixed.proc
t no-header           0 $E/mixed-H.out "" --no-header --proc $F/mixed.proc
t states              0 $E/states.out ""  --proc $F/states.proc
t peer-filter         0 $E/mixed-p3.out "" -p 3 --proc $F/mixed.proc
t peer-filter-long    0 $E/mixed-p3.out "" --peer=3 --proc=$F/mixed.proc
t peer-filter-none    0 $E/empty.out  ""  -p 9 --proc $F/mixed.proc
t unknown-key-ignored 0 $E/mixed.out  ""  --proc $F/extra_key.proc
t long-line           0 $E/mixed.out  ""  --proc "$W/long.proc"

# Bad input: exit 2, message with file, line and field, nothing on stdout.
t missing-key   2 "" "tsmc-ss: $F/missing_key.proc:2: missing field 'ring'" \
	--proc $F/missing_key.proc
t non-numeric   2 "" "tsmc-ss: $F/nonnum.proc:3: field 'tx_bytes': not a number: '12x'" \
	--proc $F/nonnum.proc
t filtered-line-still-checked 2 "" "$F/nonnum.proc:3: field 'tx_bytes'" \
	-p 2 --proc $F/nonnum.proc
t negative      2 "" "$F/negative.proc:1: field 'rx_bytes': not a number: '-1'" \
	--proc $F/negative.proc
t overflow      2 "" "$F/overflow.proc:2: field 'tx_bytes': out of range" \
	--proc $F/overflow.proc
t bad-flag      2 "" "$F/badbool.proc:1: field 'dead': expected 0 or 1: '2'" \
	--proc $F/badbool.proc
t bad-ipv4      2 "" "$F/badaddr4.proc:1: field 'local': bad address: '10.0.0.300:40000'" \
	--proc $F/badaddr4.proc
t bad-ipv6      2 "" "$F/badaddr6.proc:1: field 'remote': bad address" \
	--proc $F/badaddr6.proc
t bad-port      2 "" "$F/badport.proc:1: field 'remote': bad address" \
	--proc $F/badport.proc
t bad-peer      2 "" "$F/badpeer.proc:1: field 'peer': out of range: '65536'" \
	--proc $F/badpeer.proc
t not-key-value 2 "" "$F/notkv.proc:2: field 'wakes' is not key=value" \
	--proc $F/notkv.proc
t duplicate-key 2 "" "$F/dupkey.proc:1: field 'closed' given twice" \
	--proc $F/dupkey.proc
t empty-value   2 "" "$F/emptyval.proc:1: field 'side': empty value" \
	--proc $F/emptyval.proc
t nul-byte      2 "" "$W/nul.proc:1: NUL byte in line" --proc "$W/nul.proc"

# Summary.
t summary-two       0 $E/summary-two.out ""  -s --sys $F/sys-two
t summary-peer      0 $E/summary-p2.out  ""  --summary -p 2 --sys $F/sys-two
t summary-extra-key 0 $E/summary-two.out ""  -s --sys $F/sys-extra
t summary-no-pairs  0 $E/summary-none.out "" -s --sys $F/sys-nopairs
t summary-bad-pair  2 "" "$F/sys-badpair/pairs:2: missing field 'switched'" \
	-s --sys $F/sys-badpair
t summary-bad-doorbell 2 "" "$F/sys-baddoorbell/doorbell:1: missing field 'no_pair'" \
	-s --sys $F/sys-baddoorbell
t summary-two-doorbell-lines 2 "" "$F/sys-twodoorbell/doorbell:2: more than one line" \
	-s --sys $F/sys-twodoorbell
t summary-empty-doorbell 2 "" "$F/sys-emptydoorbell/doorbell: empty" \
	-s --sys $F/sys-emptydoorbell

# Module missing, unreadable input, unwritable output: exit 1.
t missing-proc  1 "" "tsmc-ss: tsmc_xen module not loaded (no $F/nonexistent.proc)" \
	--proc $F/nonexistent.proc
t missing-sys   1 "" "tsmc-ss: tsmc_xen module not loaded (no $F/nonexistent/pairs)" \
	-s --sys $F/nonexistent
t missing-doorbell 1 "" "module not loaded (no $F/sys-nodoorbell/doorbell)" \
	-s --sys $F/sys-nodoorbell
t proc-is-dir   1 "" "tsmc-ss: $F: read error" --proc $F
"$BIN" --proc $F/mixed.proc >/dev/full 2>"$W/err"
got_rc=$?
: >"$W/out"
verdict 1 "" "tsmc-ss: write error"
count write-error $?
if [ -e /proc/net/tsmc_xen ]; then
	echo "SKIP default-path (tsmc_xen is loaded here)"
else
	t default-path 1 "" "tsmc-ss: tsmc_xen module not loaded (no /proc/net/tsmc_xen)"
fi

# Usage: exit 2.
t bad-option       2 "" "tsmc-ss: bad option '--bogus'" --bogus
t bad-short-option 2 "" "tsmc-ss: bad option '-x'" -x
t bad-in-cluster   2 "" "tsmc-ss: bad option '-X'" -sX
t arg-to-flag      2 "" "tsmc-ss: bad option '--summary=x'" --summary=x
t missing-long-arg 2 "" "tsmc-ss: option '--proc' needs an argument" --proc
t missing-arg      2 "" "tsmc-ss: option '-p' needs an argument" -p
t bad-domid        2 "" "tsmc-ss: bad domid 'abc'" -p abc
t domid-too-big    2 "" "tsmc-ss: bad domid '65536'" -p 65536
t extra-argument   2 "" "tsmc-ss: unexpected argument 'foo'" foo
t help             0 $E/help.out "" --help

# The checks themselves: each wrong expectation must be caught.
mutant() {	# mutant NAME RC OUT ERR ARGS...: a case that must FAIL
	local name=$1 rc=$2 out=$3 err=$4
	shift 4
	"$BIN" "$@" >"$W/out" 2>"$W/err"
	got_rc=$?
	if verdict "$rc" "$out" "$err" >/dev/null; then
		count "checks-catch-$name" 1
	else
		count "checks-catch-$name" 0
	fi
}
sed '2s/open/dead/' $E/mixed.out >"$W/mixed-mutated.out"
mutant stdout-diff      0 "$W/mixed-mutated.out" "" --proc $F/mixed.proc
mutant missing-expected 0 "$W/no-such.out"       "" --proc $F/mixed.proc
mutant stdout-not-empty 0 ""                     "" --proc $F/mixed.proc
mutant exit-status      1 ""  "missing field 'ring'" --proc $F/missing_key.proc
mutant stderr-text      2 ""  "missing field 'tx_fill'" --proc $F/missing_key.proc
mutant stderr-not-empty 2 ""  "" --proc $F/missing_key.proc

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
