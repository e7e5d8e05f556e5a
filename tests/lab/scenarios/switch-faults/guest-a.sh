# The victim: a stream client blocked in send() on a full ring, and a
# ping-pong client blocked in recv(), when b scribbles. Then the fallbacks:
# b without module, b without program.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
tsmc_up "$DOMID_B"
await b-ready 60 >/dev/null || fail "b not ready"

# Each client leaves its exit code in a file (a shell's kill -0 sees zombies).
rm -f /tmp/ss.rc /tmp/pp.rc
# One after the other: the first connections of a new pair can outrun the
# pools' growth (docs/module.md, "Grant pool").
(tcp_stream_sha client -c "$IP_B" -p 5004 -B 4G >/tmp/ss.log 2>&1; echo $? >/tmp/ss.rc) &
wait_field "$DOMID_B" switched 1 30 || fail_state "the stream did not switch"
(tcp_pingpong client -c "$IP6_B" -p 5001 -s 64 -n 200000 >/tmp/pp.log 2>&1; echo $? >/tmp/pp.rc) &
wait_field "$DOMID_B" switched 2 30 || fail_state "the ping-pong did not switch"
# tsmc-ss lists both connections with b as their peer.
tsmc-ss >/tmp/tsmc-ss.txt || fail "tsmc-ss failed"
cat /tmp/tsmc-ss.txt
[ "$(grep -c "^ *$DOMID_B  *active " /tmp/tsmc-ss.txt)" = 2 ] || fail "tsmc-ss: want 2 active rows for peer $DOMID_B"
grep -q " $IP_B:5004 " /tmp/tsmc-ss.txt && grep -q " \[$IP6_B\]:5001 " /tmp/tsmc-ss.txt ||
	fail "tsmc-ss: a client's remote address is missing"
lab_put a-running 1
await b-stopped 30 >/dev/null || fail "b did not stop its servers"
# The stream's ring fills once b stops reading: the sender sleeps in send().
wait_until 10 grep -q "remote=$IP_B:5004 .* tx_fill=65536 " /proc/net/tsmc_xen ||
	fail_state "the stream's ring never filled"
lab_put a-full 1
await b-scribbled 30 >/dev/null || fail "b did not scribble"
t0=$(now_ms)
wait_until 20 both_files /tmp/ss.rc /tmp/pp.rc || fail_state "clients still blocked 20 s after the scribble"
lab_metric reset_ms $(($(now_ms) - t0))
rs=$(cat /tmp/ss.rc)
rp=$(cat /tmp/pp.rc)
cat /tmp/ss.log /tmp/pp.log
[ $rs != 0 ] && grep -q 'Connection reset' /tmp/ss.log || fail "stream client: exit $rs, no reset"
[ $rp != 0 ] && grep -q 'Connection reset' /tmp/pp.log || fail "ping-pong client: exit $rp, no reset"
[ "$(pair_field "$DOMID_B" ring_broken)" = 2 ] || fail_state "want ring_broken=2"
tsmc-ss -s -p "$DOMID_B" | tee /tmp/tsmc-ss.txt | grep -q "ring resets 2," || fail "tsmc-ss -s: no 'ring resets 2'"
dmesg | grep -q "broke the ring of connection" || fail "no dmesg line names the broken ring"
[ "$(pair_state "$DOMID_B")" = connected ] || fail_state "the pair went down"
lab_put a-reset 1

# The pair is fine: the next connection switches and carries its bytes.
n=$(pair_field "$DOMID_B" switched)
timeout 60 tcp_pingpong client -c "$IP_B" -p 5002 -s 64 -n 50 >/tmp/pp2.log 2>&1 || { cat /tmp/pp2.log; fail_state "ping-pong after the reset failed"; }
wait_field "$DOMID_B" switched $((n + 1)) 10 || fail_state "the next connection did not switch"
lab_put a-finished 1
wait_field "$DOMID_B" links 0 10 || fail_state "switched connections left after all closed"
pool_idle "$DOMID_B" 5 || fail "ring slots not given back"

# fallback WHAT: with b's module (then program) gone, a connection works as
# plain TCP: no link, and the doorbell's "pair down" count rose by $1.
fallback() {
	_d0=$(($(doorbell_count no_pair) + $(doorbell_count not_connected)))
	timeout 60 tcp_pingpong client -c "$IP_B" -p 5002 -s 64 -n 50 >/tmp/pp3.log 2>&1 ||
		{ cat /tmp/pp3.log; fail_state "$2: the connection failed"; }
	[ ! -s /proc/net/tsmc_xen ] || fail_state "$2: a connection was switched"
	[ $(($(doorbell_count no_pair) + $(doorbell_count not_connected) - _d0)) = "$1" ] ||
		{ cat "$SYS/doorbell"; fail "$2: want $1 doorbell(s) with the pair down"; }
}
await b-nomodule 60 >/dev/null || fail "b did not unload"
wait_until 10 not_connected "$DOMID_B" || fail_state "pair still connected 10 s after b unloaded"
fallback 1 "peer without module"
lab_put a-fb-nomodule 1
await b-noprogram 60 >/dev/null || fail "b did not detach"
fallback 0 "peer without program"
lab_put a-fb-noprogram 1
unload_module || fail "rmmod failed"
dmesg_clean || fail "kernel warnings"
await b-done 120 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
