. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
# The victim: load the module, pair with a, wait to be destroyed.
insmod "$KO" || exit 1
wait_state "$DOMID_A" connected 120 || exit 1
lab_put "d-$LAB_MYID-up" 1
sleep 100000
