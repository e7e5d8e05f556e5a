. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
echo 8 >/proc/sys/kernel/printk
OTHER=b
await provisioned 60 >/dev/null || fail "dom0 did not provision the pair"
# A module left loaded by an earlier failed scenario must not fail this one.
rmmod tsmc_xen 2>/dev/null
dmesg -c >/dev/null
insmod "$KO" fault_inject=1 || fail "insmod failed"
lab_put a-loaded 1
# The module took dom0's host tag and told dom0 it is ready.
tag=$(xenstore-read tsmc/host-tag | tr 'A-F' 'a-f')
[ -n "$tag" ] && [ "$(cat "$SYS/host_tag")" = "$tag" ] ||
	fail "host tag: module has '$(cat "$SYS/host_tag")', dom0 wrote '$tag'"
[ "$(xenstore-read data/tsmc/state)" = ready ] ||
	fail "module reports '$(xenstore-read data/tsmc/state)', not ready"
await b-up 120 >/dev/null || fail "b never saw the pair come up"
wait_state "$DOMID_B" connected 10 || fail "pair did not connect"

# 10^4 checked control-channel round trips.
echo "$DOMID_B 10000" >"$SYS/ping" || { cat "$SYS/ping"; fail "ping run failed"; }
cat "$SYS/ping"
[ "$(ping_field ok)" = 10000 ] && [ "$(ping_field bad)" = 0 ] ||
	fail "ping: $(cat "$SYS/ping")"
lab_metric ctl_rtt_us "$(($(ping_field avg_ns) / 1000))"
lab_metric ctl_rtt_max_us "$(($(ping_field max_ns) / 1000))"

# Grant pool: two chunks (48 slots) each way once connected, room for two
# 17-slot connection rings plus 8; holding 20 leaves fewer than that free,
# so the pool must grow by one chunk on its own.
wait_field "$DOMID_B" pool_own 48 20 || fail "no initial pool of our own"
wait_field "$DOMID_B" pool_peer 48 20 || fail "peer's initial pool not mapped"
echo "$DOMID_B 20" >"$SYS/pool_hold" || fail "pool_hold refused"
wait_field "$DOMID_B" pool_own 72 20 || fail "pool did not grow on demand"
wait_field "$DOMID_B" pool_free 52 5 || fail "pool free count wrong after growth"
echo "$DOMID_B 0" >"$SYS/pool_hold" || fail "pool_hold release refused"
wait_field "$DOMID_B" pool_free 72 5 || fail "held slots not given back"
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

# Hostile peer 1: a POOL_ADD for slots out of order; b must refuse it and
# mark the pair broken. Then we reload so that b reconnects.
echo "$DOMID_B pool" >"$SYS/fault" || fail "fault injection (pool) refused"
await b-saw-bad-pool 60 >/dev/null || fail "b did not refuse the bad POOL_ADD"
rmmod tsmc_xen || fail "rmmod after pool fault failed"
insmod "$KO" fault_inject=1 || fail "insmod after pool fault failed"
wait_state "$DOMID_B" connected 30 || fail "no reconnect after the pool fault"
await b-reconnected 60 >/dev/null || fail "b did not reconnect after the pool fault"

# Hostile peer 2: we corrupt our producer index; b must mark the pair broken.
echo "$DOMID_B index" >"$SYS/fault" || fail "fault injection refused"
await b-saw-broken 60 >/dev/null || fail "b did not see the corrupted ring"
lab_put a-done pass
rmmod tsmc_xen || fail "rmmod failed"
dmesg_clean || { cat /tmp/dmesg.log; fail "dmesg shows WARNING/BUG/Oops"; }
cat /tmp/dmesg.log
lab_verdict pass
