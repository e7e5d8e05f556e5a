#!/bin/bash
# Run the tools against each other on 127.0.0.1 and check what they report.
# usage: loopback.sh BINDIR
set -u
BIN=$1
pass=0 fail=0
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# A port per test, derived from our pid so parallel runs rarely collide.
port() { echo $((20000 + ($$ * 7 + $1) % 30000)); }
val() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
T=$(mktemp -d)
trap 'cleanup; rm -rf "$T"' EXIT

# pingpong: 200 echoed 64-byte messages, sane RTT figures.
P=$(port 1)
"$BIN/tcp_pingpong" server -p "$P" -b 127.0.0.1 -1 & pids+=($!)
if "$BIN/tcp_pingpong" client -c 127.0.0.1 -p "$P" -n 200 >"$T/pp" &&
	[ "$(val iterations "$T/pp")" = 200 ] &&
	awk '$1 == "rtt_us_avg" && $2 > 0 && $2 < 1e6 {f=1} END {exit !f}' "$T/pp"; then
	ok "pingpong 200 x 64 B"
else bad "pingpong 200 x 64 B"; cat "$T/pp"; fi

# -C: a congestion control the kernel has works; an unknown one is an error.
P=$(port 9)
"$BIN/tcp_pingpong" server -p "$P" -b 127.0.0.1 & srv=$!
pids+=($srv)
if "$BIN/tcp_pingpong" client -c 127.0.0.1 -p "$P" -n 5 -C reno >/dev/null &&
	! "$BIN/tcp_pingpong" client -c 127.0.0.1 -p "$P" -n 5 -C no_such_cc >/dev/null 2>"$T/cc"; then
	ok "pingpong -C reno works, -C no_such_cc fails"
else bad "pingpong -C"; cat "$T/cc"; fi
kill "$srv" 2>/dev/null

# crr: server bounded with -n so we can check both sides' counts agree.
P=$(port 2)
"$BIN/tcp_crr" server -p "$P" -b 127.0.0.1 >"$T/crr_srv" & srv=$!
if "$BIN/tcp_crr" client -c 127.0.0.1 -p "$P" -d 0.5 >"$T/crr" &&
	n=$(val connections "$T/crr") && [ "${n:-0}" -gt 0 ] &&
	awk '$1 == "crr_per_s" && $2 > 0 {f=1} END {exit !f}' "$T/crr" &&
	awk '$1 ~ /^(connect|eof|close)_ms_avg$/ && $2 >= 0 {k++} END {exit k != 3}' "$T/crr"; then
	ok "crr rate and phase times ($n connections)"
else bad "crr rate"; cat "$T/crr"; fi
kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null

# stream: 8 MiB; client, server and an independent sha256sum must agree.
P=$(port 3)
"$BIN/tcp_stream_sha" server -p "$P" -b 127.0.0.1 >"$T/ss_srv" & srv=$!
"$BIN/tcp_stream_sha" client -c 127.0.0.1 -p "$P" -B 8M -s 7 >"$T/ss"; rc=$?
wait "$srv"
want=$("$BIN/tcp_stream_sha" gen -B 8M -s 7 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ $rc = 0 ] && [ "$(val match "$T/ss")" = yes ] && [ "$(val sha256 "$T/ss")" = "$want" ] &&
	[ "$(val sha256 "$T/ss_srv")" = "$want" ] && [ "$(val bytes "$T/ss_srv")" = 8388608 ]; then
	ok "stream 8 MiB sha256 equal on both ends and to sha256sum"
else bad "stream sha256"; cat "$T/ss" "$T/ss_srv"; fi

# Different seeds must give different streams (the pattern is not constant).
if [ "$("$BIN/tcp_stream_sha" gen -B 4K -s 8 2>/dev/null | sha256sum)" != \
	"$("$BIN/tcp_stream_sha" gen -B 4K -s 9 2>/dev/null | sha256sum)" ]; then
	ok "seeds give different streams"
else bad "seeds give different streams"; fi

# The hashing is libcrypto's; what is ours is its wiring (init/update/final
# across reads and CHUNK-sized pieces, the hex). gen at lengths around the
# 64-byte SHA block and the 256 KiB CHUNK: printed digest = sha256sum's.
bad_len=
for n in 1 55 56 63 64 65 262143 262144 262145 786433; do
	got=$("$BIN/tcp_stream_sha" gen -B "$n" -s 11 2>"$T/gen_err" | sha256sum | cut -d' ' -f1)
	[ "$(val sha256 "$T/gen_err")" = "$got" ] || bad_len="$bad_len $n"
done
if [ -z "$bad_len" ]; then ok "gen sha256 equals sha256sum at block and chunk edges"
else bad "gen sha256 differs from sha256sum at lengths$bad_len"; fi

# Known answers (FIPS 180-4 examples) from the server, the bytes sent over a
# bash /dev/tcp connection that is then closed: the server reads to EOF and
# prints its digest (its answer is never read, which it does not notice).
kat() { # kat NAME PORTNO FILE WANT
	local P srv sent=
	P=$(port "$2")
	"$BIN/tcp_stream_sha" server -p "$P" -b 127.0.0.1 >"$T/kat" 2>&1 & srv=$!
	for _ in $(seq 100); do
		if { cat "$3" >&3; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$P"; then sent=1; break; fi
		sleep 0.1
	done
	[ -n "$sent" ] || kill "$srv" 2>/dev/null
	wait "$srv"
	if [ -n "$sent" ] && [ "$(val bytes "$T/kat")" = "$(wc -c <"$3")" ] &&
		[ "$(val sha256 "$T/kat")" = "$4" ]; then
		ok "server sha256 of $1 (FIPS 180-4)"
	else bad "server sha256 of $1 (FIPS 180-4)"; cat "$T/kat"; fi
}
: >"$T/empty"
printf abc >"$T/abc"
printf abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq >"$T/448"
head -c 1000000 /dev/zero | tr '\0' a >"$T/ma"
kat "empty input" 10 "$T/empty" e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
kat "'abc'" 11 "$T/abc" ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
kat "448-bit message" 12 "$T/448" 248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1
kat "one million 'a'" 13 "$T/ma" cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0

# A peer that answers garbage instead of a digest must fail the client.
P=$(port 4)
"$BIN/tcp_pingpong" server -p "$P" -b 127.0.0.1 -1 & pids+=($!)
if "$BIN/tcp_stream_sha" client -c 127.0.0.1 -p "$P" -B 1K >/dev/null 2>"$T/err"; then
	bad "stream client rejects a non-digest answer"
else ok "stream client rejects a non-digest answer"; fi

# Nothing listening: clients fail (after their retry window) with a message.
P=$(port 5)
if "$BIN/tcp_crr" client -c 127.0.0.1 -p "$P" -d 0.2 2>"$T/err" >/dev/null; then
	bad "crr client fails without server"
else grep -q "connect" "$T/err" && ok "crr client fails without server" || bad "crr error message"; fi

# Bad input: usage errors exit 2 with a message.
for args in "tcp_pingpong bogus" "tcp_crr client -p 1" "tcp_stream_sha client -c 127.0.0.1 -p 1 -B 0" \
	"tcp_pingpong client -c not-an-ip -p 1" "tcp_crr server -p 1 -n -3"; do
	set -- $args
	"$BIN/$1" "${@:2}" >/dev/null 2>"$T/err"; rc=$?
	if [ $rc = 2 ] && [ -s "$T/err" ]; then ok "bad input: $args"; else bad "bad input: $args (rc=$rc)"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
