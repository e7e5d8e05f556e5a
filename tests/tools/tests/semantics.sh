#!/bin/bash
# Run tcp_semantics server and client against each other on 127.0.0.1 and
# ::1: both must pass and print the same check lines. Then break a case
# on the server on purpose: the client must report exactly that case.
# usage: semantics.sh BINDIR
set -u
BIN=$1
pass=0 fail=0
pids=()
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# Logs shown on failure are indented, so the Makefile does not count their lines.
show() { sed 's/^/    /' "$@"; }
# A port per run, derived from our pid so parallel runs rarely collide, and
# below the ephemeral range so no outgoing connection can be holding it.
read -r eph _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || eph=32768
[ "$eph" -gt 12000 ] || eph=32768
port() { echo $((10000 + ($$ * 13 + $1) % (eph - 10000))); }
T=$(mktemp -d)
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

# A server exits by itself once the client said "done"; give it 10 s.
# Sets src to its exit status (124: had to be killed).
reap() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; src=$?; return; }
		sleep 0.1
	done
	kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; src=124
}

# semantics TAG PORT [-6] HOST: one server + client run; sets crc and src.
semantics() {
	local tag=$1 p=$2 srv
	shift 2
	"$BIN/tcp_semantics" server "${@:1:$#-1}" -p "$p" >"$T/$tag.srv" 2>&1 & srv=$!
	pids+=($srv)
	"$BIN/tcp_semantics" client "$@" -p "$p" >"$T/$tag" 2>"$T/$tag.err"; crc=$?
	reap "$srv"
}

sanitizer_clean() { ! grep -qE 'Sanitizer|runtime error' "$@"; }

for fam in 4 6; do
	if [ $fam = 4 ]; then args=(127.0.0.1); else args=(-6 ::1); fi
	semantics "v$fam" "$(port $fam)" "${args[@]}"
	n=$(grep -c '^ok   ' "$T/v$fam")
	if [ $crc = 0 ] && [ "$src" = 0 ] && ! grep -q '^FAIL' "$T/v$fam" &&
		[ "$(tail -n1 "$T/v$fam")" = "$n passed, 0 failed" ] &&
		sanitizer_clean "$T/v$fam.err" "$T/v$fam.srv"; then
		ok "semantics over ${args[-1]}: $n checks pass, server exits 0"
	else
		bad "semantics over ${args[-1]} (client rc=$crc, server rc=$src)"
		show "$T/v$fam" "$T/v$fam.err" "$T/v$fam.srv"
	fi
done

# Same lines, same order on both (no addresses, ports or timings in them).
if diff "$T/v4" "$T/v6" >"$T/diff"; then
	ok "127.0.0.1 and ::1 print identical output"
else bad "127.0.0.1 and ::1 output differs"; show "$T/diff"; fi

# Every case ran both halves.
missing=
for c in $("$BIN/tcp_semantics" list); do
	grep -q "^ok   $c\.client\." "$T/v4" && grep -q "^ok   $c\.server\." "$T/v4" || missing+=" $c"
done
n=$("$BIN/tcp_semantics" list | wc -l)
if [ -z "$missing" ] && [ "$n" = 17 ]; then ok "all $n cases report client and server checks"
else bad "cases without client or server checks:${missing:- (list has $n)}"; fi

# A case can fail: the server corrupts byte 0 of what it sends and expects in
# 'blocking'; only that case fails, the client says so and exits non-zero.
brk=blocking
p=$(port 7)
TCP_SEMANTICS_BREAK=$brk "$BIN/tcp_semantics" server -p "$p" >"$T/brk.srv" 2>&1 & srv=$!
pids+=($srv)
"$BIN/tcp_semantics" client 127.0.0.1 -p "$p" >"$T/brk" 2>"$T/brk.err"; crc=$?
reap "$srv"
if [ $crc = 1 ] && [ "$src" = 1 ] && grep -q "^FAIL $brk\.client\.recv_1MiB_intact: byte 0 is " "$T/brk" &&
	! grep '^FAIL' "$T/brk" | grep -qv "^FAIL $brk\." &&
	diff <(grep -v "^[A-Za-z]* *$brk\." "$T/v4" | head -n -1) \
		<(grep -v "^[A-Za-z]* *$brk\." "$T/brk" | head -n -1) >/dev/null &&
	tail -n1 "$T/brk" | grep -q ' passed, [1-9][0-9]* failed$' &&
	sanitizer_clean "$T/brk.err" "$T/brk.srv"; then
	ok "TCP_SEMANTICS_BREAK=$brk: only $brk fails, client exits 1"
else bad "TCP_SEMANTICS_BREAK=$brk (client rc=$crc, server rc=$src)"; show "$T/brk" "$T/brk.err" "$T/brk.srv"; fi

# The splice case alone, broken: the server's splice()d stream is checked too.
brk=splice
p=$(port 8)
TCP_SEMANTICS_BREAK=$brk "$BIN/tcp_semantics" server -p "$p" >"$T/brk2.srv" 2>&1 & srv=$!
pids+=($srv)
"$BIN/tcp_semantics" client 127.0.0.1 -p "$p" $brk >"$T/brk2" 2>"$T/brk2.err"; crc=$?
reap "$srv"
if [ $crc = 1 ] && [ "$src" = 1 ] &&
	grep -q "^FAIL $brk\.server\.splice_from_socket_intact: byte 0 is " "$T/brk2" &&
	[ "$(grep -c '^FAIL' "$T/brk2")" = 1 ] && sanitizer_clean "$T/brk2.err" "$T/brk2.srv"; then
	ok "TCP_SEMANTICS_BREAK=$brk: $brk fails on the server's check"
else bad "TCP_SEMANTICS_BREAK=$brk (client rc=$crc, server rc=$src)"; show "$T/brk2" "$T/brk2.err" "$T/brk2.srv"; fi

# Bad input: usage errors exit 2 with a message.
for args in "bogus" "client -p 1" "client 127.0.0.1" "client 127.0.0.1 -p 1 no_such_case" \
	"client -6 127.0.0.1 -p 1" "server -p 1 -t 0" "server 127.0.0.1 -p 1"; do
	"$BIN/tcp_semantics" $args >/dev/null 2>"$T/err"; rc=$?
	if [ $rc = 2 ] && [ -s "$T/err" ]; then ok "bad input: $args"; else bad "bad input: $args (rc=$rc)"; fi
done
TCP_SEMANTICS_BREAK=no_such_case "$BIN/tcp_semantics" server -p 1 >/dev/null 2>"$T/err"; rc=$?
if [ $rc = 2 ] && [ -s "$T/err" ]; then ok "bad input: TCP_SEMANTICS_BREAK=no_such_case"
else bad "bad input: TCP_SEMANTICS_BREAK=no_such_case (rc=$rc)"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
