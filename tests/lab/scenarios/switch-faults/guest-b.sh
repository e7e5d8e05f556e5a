# The scribbler: its servers stop reading, then it writes indexes no honest
# peer writes into every ring it shares with a (module fault "scribble").
# Then the peer that cannot switch: module gone, then program gone too.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
tsmc_up "$DOMID_A" fault_inject=1
tcp_stream_sha server -b :: -p 5004 >/tmp/ss-srv.log 2>&1 &
ss=$!
tcp_pingpong server -b :: -p 5001 >/dev/null 2>&1 &
pp=$!
tcp_pingpong server -b :: -p 5002 >/dev/null 2>&1 &
sleep 1
lab_put b-ready 1
await a-running 120 >/dev/null || fail "a did not start its clients"
# Stopped, our applications store no honest index over the lie.
kill -STOP $ss $pp
lab_put b-stopped 1
await a-full 60 >/dev/null || fail "a's ring did not fill"
echo "$DOMID_A scribble" >"$SYS/fault" || fail "fault injection refused"
lab_put b-scribbled 1
await a-reset 60 >/dev/null || fail "a did not see the reset"
kill -CONT $ss $pp
# The stream's reader here must fail too, never hash a cut-short stream.
wait $ss
rc=$?
cat /tmp/ss-srv.log
[ $rc != 0 ] || fail "stream server exited 0 on a reset stream"
grep -q 'Connection reset' /tmp/ss-srv.log || fail "stream server: no reset seen"
await a-finished 120 >/dev/null || fail "a did not finish"
kill $pp 2>/dev/null
wait_field "$DOMID_A" links 0 10 || fail "switched connections left after all closed"
wait_field "$DOMID_A" ring_broken 0 1 || fail "a's honest rings counted as broken"
pool_idle "$DOMID_A" 5 || fail "ring slots not given back"
dmesg_clean || fail "kernel warnings"

# Fallbacks. The pair is down when a connection opens: our module goes, the
# program stays (the loader falls back to its ring buffer and the option is
# still answered).
unload_module || fail "rmmod failed"
tsmc-bpf >/dev/null || fail "tsmc-bpf without the module failed"
lab_put b-nomodule 1
await a-fb-nomodule 60 >/dev/null || fail "a: no result with our module gone"
# A peer without the program: no option answered at all.
tsmc-bpf --detach >/dev/null || fail "detach failed"
lab_put b-noprogram 1
await a-fb-noprogram 60 >/dev/null || fail "a: no result with our program gone"
lab_put b-done pass
lab_verdict pass
