. /lab/lab-lib.sh
. /lab/dom0-pair.sh
pair_provision "$DOMID_A" "$DOMID_B"
lab_put provisioned 1
a=$(lab_get a-done $((LAB_TIMEOUT - 30)))
b=$(lab_get b-done 30)
pair_daemon_stop
[ "$a" = pass ] && [ "$b" = pass ] || lab_fail "guests reported a=$a b=$b"
lab_verdict pass
