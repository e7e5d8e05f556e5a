. /lab/lab-lib.sh
# Host tag and enablement from the real dom0 tool: the loader reads both.
command -v tsmc-xenctl >/dev/null || lab_fail "tsmc-xenctl not built"
tsmc-xenctl init || lab_fail "tsmc-xenctl init failed"
tsmc-xenctl enable "$DOMID_A" || lab_fail "enable a failed"
tsmc-xenctl enable "$DOMID_B" || lab_fail "enable b failed"
lab_put provisioned 1
a=$(lab_get a-done $((LAB_TIMEOUT - 20)))
b=$(lab_get b-done 30)
tsmc-xenctl disable "$DOMID_A"
tsmc-xenctl disable "$DOMID_B"
[ "$a" = pass ] && [ "$b" = pass ] || lab_fail "guests reported a=$a b=$b"
lab_verdict pass
