. /lab/lab-lib.sh
. /lab/scenarios/pair-channel/pair-lib.sh
echo 8 >/proc/sys/kernel/printk
OTHER=a
await a-loaded 120 >/dev/null || fail "a did not load its module"
dmesg -c >/dev/null
insmod "$KO" || fail "insmod failed"
# Both modules are loaded from here on: the pair must be up within 2 s.
t0=$(now_ms)
wait_state "$DOMID_A" connected 10 || fail "pair did not connect"
up_ms=$(($(now_ms) - t0))
lab_metric pair_up_ms "$up_ms"
[ "$up_ms" -le 2000 ] || fail "pair took $up_ms ms to come up (limit 2000)"
lab_put b-up 1
await a-pinged 300 >/dev/null || fail "a did not finish pinging"

i=1
while [ $i -le 20 ]; do
	rmmod tsmc_xen || fail "rmmod $i failed"
	insmod "$KO" || fail "insmod $i failed"
	wait_state "$DOMID_A" connected 10 || fail "no reconnect after reload $i"
	lab_put "b-reloaded-$i" 1
	await "a-checked-$i" 120 >/dev/null || fail "a did not check reload $i"
	i=$((i + 1))
done

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
