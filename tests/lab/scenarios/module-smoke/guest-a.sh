. /lab/lab-lib.sh
. /lab/dmesg-check.sh
ko=/lab/mod/tsmc_xen.ko
[ -f "$ko" ] || lab_fail "tsmc_xen.ko was not built (see out/<run>/build.log)"
if [ -s /lab/mod/W1-warnings.txt ]; then
	cat /lab/mod/W1-warnings.txt
	lab_fail "W=1 warnings building against $(uname -r): $(head -n 1 /lab/mod/W1-warnings.txt)"
fi
# A module an earlier failed scenario left loaded must not fail this one.
tsmc-bpf --detach >/dev/null 2>&1
rmmod tsmc_xen 2>/dev/null
grep -q '^tsmc_xen ' /proc/modules &&
	lab_fail "tsmc_xen left loaded (and busy) by an earlier scenario: $(grep '^tsmc_xen ' /proc/modules)"
dmesg -c >/dev/null
t0=$(date +%s)
insmod "$ko" || lab_fail "insmod tsmc_xen.ko failed"
grep -q '^tsmc_xen ' /proc/modules || lab_fail "tsmc_xen not in /proc/modules after insmod"
rmmod tsmc_xen || lab_fail "rmmod tsmc_xen failed"
grep -q '^tsmc_xen ' /proc/modules && lab_fail "tsmc_xen still loaded after rmmod"
lab_metric load_unload_s "$(($(date +%s) - t0))"
# Parameters out of range refuse the load with a clear line.
for bad in ring_order=11 ring_order=21 pool_slots=0 pool_slots=50 pool_slots=792; do
	dmesg -c >/dev/null
	insmod "$ko" "$bad" 2>/dev/null && { rmmod tsmc_xen; lab_fail "insmod $bad was accepted"; }
	dmesg | grep -q "tsmc_xen: ${bad%%=*}=${bad#*=} is" || lab_fail "insmod $bad: no clear dmesg line"
done
dmesg >/tmp/dmesg.log
cat /tmp/dmesg.log
if dmesg_faults /tmp/dmesg.log; then
	lab_fail "guest dmesg shows WARNING/BUG/Oops after load/unload"
fi
lab_verdict pass
