. /lab/lab-lib.sh
. /lab/scenarios/pair-channel/pair-lib.sh
echo 8 >/proc/sys/kernel/printk
OTHER=b
await provisioned 60 >/dev/null || fail "dom0 did not provision the pair"
dmesg -c >/dev/null
insmod "$KO" fault_inject=1 || fail "insmod failed"
lab_put a-loaded 1
await b-up 120 >/dev/null || fail "b never saw the pair come up"
wait_state "$DOMID_B" connected 10 || fail "pair did not connect"

# 10^4 checked control-channel round trips.
echo "$DOMID_B 10000" >"$SYS/ping" || { cat "$SYS/ping"; fail "ping run failed"; }
cat "$SYS/ping"
[ "$(ping_field ok)" = 10000 ] && [ "$(ping_field bad)" = 0 ] ||
	fail "ping: $(cat "$SYS/ping")"
lab_metric ctl_rtt_us "$(($(ping_field avg_ns) / 1000))"
lab_metric ctl_rtt_max_us "$(($(ping_field max_ns) / 1000))"
lab_put a-pinged 1

# b reloads its module 20 times; we must reconnect every time.
i=1
while [ $i -le 20 ]; do
	await "b-reloaded-$i" 120 >/dev/null || fail "b did not reload ($i)"
	wait_state "$DOMID_B" connected 10 || fail "no reconnect after reload $i"
	echo "$DOMID_B 10" >"$SYS/ping" || fail "ping after reload $i: $(cat "$SYS/ping")"
	lab_put "a-checked-$i" 1
	i=$((i + 1))
done

# We grant (lower domid) or map; either way every reload must have ended
# our grants at once, with nothing left for the deferred list.
deferred=$(cat "$SYS/grants_deferred")
lab_metric grants_deferred "$deferred"
[ "$deferred" = 0 ] || fail "$deferred grants were still mapped at teardown"

# Hostile peer: we corrupt our producer index; b must mark the pair broken.
echo "$DOMID_B index" >"$SYS/fault" || fail "fault injection refused"
await b-saw-broken 60 >/dev/null || fail "b did not see the corrupted ring"
lab_put a-done pass
rmmod tsmc_xen || fail "rmmod failed"
dmesg_clean || { cat /tmp/dmesg.log; fail "dmesg shows WARNING/BUG/Oops"; }
cat /tmp/dmesg.log
lab_verdict pass
