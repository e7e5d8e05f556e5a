. /lab/lab-lib.sh
command -v tsmc-xenctl >/dev/null || lab_fail "tsmc-xenctl not built"
tsmc-xenctl init || lab_fail "tsmc-xenctl init failed"
tsmc-xenctl policy default allow || lab_fail "policy default allow failed"
tsmc-xenctl enable "$DOMID_A" || lab_fail "enable a failed"
tsmc-xenctl enable "$DOMID_B" || lab_fail "enable b failed"
tsmc-xenctl daemon >/tmp/tsmc-daemon.log 2>&1 &
dpid=$!
lo=$DOMID_A hi=$DOMID_B
[ "$lo" -lt "$hi" ] || { lo=$DOMID_B; hi=$DOMID_A; }
n=50
until xenstore-exists "/local/domain/$hi/tsmc/peers/$lo" 2>/dev/null; do
	n=$((n - 1))
	[ $n -gt 0 ] || { cat /tmp/tsmc-daemon.log; kill $dpid; lab_fail "daemon did not provision the pair in 10 s"; }
	sleep 0.2
done
lab_put provisioned 1
a=$(lab_get a-done $((LAB_TIMEOUT - 30)))
b=$(lab_get b-done 60)
kill $dpid 2>/dev/null
wait $dpid 2>/dev/null
tsmc-xenctl disable "$DOMID_A"
tsmc-xenctl disable "$DOMID_B"
[ "$a" = pass ] && [ "$b" = pass ] || lab_fail "guests reported a=$a b=$b"
lab_verdict pass
