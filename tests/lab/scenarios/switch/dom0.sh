. /lab/lab-lib.sh
. /lab/dom0-pair.sh
pair_provision "$DOMID_A" "$DOMID_B"
lab_put provisioned 1

# vif_packets DOMID: packets the guest sent through its vif (dom0 receives)
vif_packets() { cat "/sys/class/net/vif$1.0/statistics/rx_packets"; }

# wait_a KEY: a's KEY, or give up at once when a reports it is done
wait_a() {
	_end=$(lab_deadline 1200)
	while lab_before "$_end"; do
		xenstore-read "/local/lab/$LAB_SCEN/$1" 2>/dev/null && return 0
		xenstore-read "/local/lab/$LAB_SCEN/a-done" >/dev/null 2>&1 && return 1
		sleep 0.5
	done
	return 1
}

# The stream's packet count: a asks around its 1 GiB stream.
wait_a a-stream-start >/dev/null || lab_fail "a never started the stream"
before=$(vif_packets "$DOMID_A")
lab_put vif-before "$before"
wait_a a-stream-end >/dev/null || lab_fail "a never finished the stream"
after=$(vif_packets "$DOMID_A")
lab_put vif-packets $((after - before))
a=$(lab_get a-done $((LAB_TIMEOUT - 60)))
b=$(lab_get b-done 60)
pair_daemon_stop
[ "$a" = pass ] && [ "$b" = pass ] || lab_fail "guests reported a=$a b=$b"
lab_verdict pass
