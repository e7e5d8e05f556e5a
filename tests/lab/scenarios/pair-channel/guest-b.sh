. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
echo 8 >/proc/sys/kernel/printk
OTHER=a
await a-loaded 120 >/dev/null || fail "a did not load its module"
# A module left loaded by an earlier failed scenario must not fail this one.
rmmod tsmc_xen 2>/dev/null
dmesg -c >/dev/null
insmod "$KO" || fail "insmod failed"
# Both modules are loaded from here on: the pair must be up within 2 s.
# The limit applies to the module's own figure (pair created -> connected);
# what this shell sees also holds its polling, slow under emulation.
t0=$(now_ms)
wait_state "$DOMID_A" connected 10 || fail "pair did not connect"
lab_metric pair_seen_ms "$(($(now_ms) - t0))"
up_ms=$(pair_field "$DOMID_A" up_ms)
lab_metric pair_up_ms "$up_ms"
[ "${up_ms:-0}" -gt 0 ] && [ "$up_ms" -le 2000 ] ||
	fail "pair took '$up_ms' ms to come up (limit 2000)"
lab_put b-up 1
await a-pinged 300 >/dev/null || fail "a did not finish pinging"
# a's pool grew by one chunk: we must have mapped both.
wait_field "$DOMID_A" pool_peer 72 20 || fail "a's grown pool not mapped here"
wait_field "$DOMID_A" pool_own 48 5 || fail "our pool grew without demand"

i=1
while [ $i -le 20 ]; do
	rmmod tsmc_xen || fail "rmmod $i failed"
	insmod "$KO" || fail "insmod $i failed"
	wait_state "$DOMID_A" connected 10 || fail "no reconnect after reload $i"
	lab_put "b-reloaded-$i" 1
	await "a-checked-$i" 120 >/dev/null || fail "a did not check reload $i"
	i=$((i + 1))
done

# a sends a POOL_ADD out of order: refuse it, stop using the ring.
wait_state "$DOMID_A" broken 30 || fail "bad POOL_ADD not detected"
dmesg | grep -q 'broken: bad control message' || fail "no clear error for the bad POOL_ADD"
lab_put b-saw-bad-pool 1
# a reloads; the channel must come back (the broken one is torn down).
wait_state "$DOMID_A" connected 60 || fail "no reconnect after a's reload"
# No dmesg -c here: a may inject the next fault as soon as it reads this.
lab_put b-reconnected 1

# a corrupts its side: we must stop using the ring, log it, keep running.
wait_state "$DOMID_A" broken 20 || fail "corrupted ring not detected"
dmesg | grep -q 'broken: control ring index invalid' ||
	fail "no clear error in dmesg"
lab_put b-saw-broken 1
await a-done 120 >/dev/null || fail "a did not finish"
rmmod tsmc_xen || fail "final rmmod failed"
dmesg_clean || { cat /tmp/dmesg.log; fail "dmesg shows WARNING/BUG/Oops"; }
cat /tmp/dmesg.log
lab_put b-done pass
lab_verdict pass
