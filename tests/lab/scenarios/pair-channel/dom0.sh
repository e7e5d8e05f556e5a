. /lab/lab-lib.sh
. /lab/grant-count.sh
. /lab/dom0-pair.sh
# Baseline before any module loads: netfront, console and xenstore grants.
base_a=$(grant_active "$DOMID_A") base_b=$(grant_active "$DOMID_B")
pair_provision "$DOMID_A" "$DOMID_B"
lab_put provisioned 1
a=$(lab_get a-done $((LAB_TIMEOUT - 30)))
b=$(lab_get b-done 60)
tsmc-xenctl status || true
pair_daemon_stop
tsmc-xenctl disable "$DOMID_A" || lab_fail "disable a failed"
tsmc-xenctl disable "$DOMID_B" || lab_fail "disable b failed"
xenstore-exists "/local/domain/0/tsmc/pairs/$PAIR_LO-$PAIR_HI" 2>/dev/null &&
	lab_fail "pair directory left behind after disable"
[ "$a" = pass ] && [ "$b" = pass ] || lab_fail "guests reported a=$a b=$b"
# Both modules are unloaded now (20 reloads, faults): no grant of either
# guest may still be mapped. The kernel's deferred list retries each second.
sleep 3
end_a=$(grant_active "$DOMID_A") end_b=$(grant_active "$DOMID_B")
lab_metric grants_active_a_delta $((end_a - base_a))
lab_metric grants_active_b_delta $((end_b - base_b))
echo "active grants a: $base_a -> $end_a, b: $base_b -> $end_b"
[ "$end_a" -le "$base_a" ] && [ "$end_b" -le "$base_b" ] ||
	lab_fail "grants still mapped after unload: a $base_a -> $end_a, b $base_b -> $end_b"
lab_verdict pass
