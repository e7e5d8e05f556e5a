. /lab/lab-lib.sh
. /lab/scenarios/pair-peer-death/dom0-lib.sh
command -v tsmc-xenctl >/dev/null || lab_fail "tsmc-xenctl not built"
tsmc-xenctl init || lab_fail "tsmc-xenctl init failed"
tsmc-xenctl policy default allow || lab_fail "policy default allow failed"
tsmc-xenctl enable "$DOMID_A" || lab_fail "enable a failed"
tsmc-xenctl daemon >/tmp/tsmc-daemon-death.log 2>&1 &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; xl destroy guest-d 2>/dev/null' EXIT
sed -e 's/guest-a/guest-d/' -e 's/lab_role=a/lab_role=d/' \
	-e 's/10\.99\.0\.11/10.99.0.14/' -e 's/99:00:11/99:00:14/' \
	/lab/guest-a.cfg >/tmp/guest-d.cfg
lab_put d-ip 10.99.0.14

for round in 1 2; do
	d=$(start_d) || fail "guest-d ($round) did not come up"
	tsmc-xenctl enable "$d" || fail "enable d failed"
	lab_put "d$round" "$d"
	if [ $round = 1 ]; then
		d_listening "$d" 300 || fail "guest-d did not listen on 5004"
		lab_put d-listening 1
	fi
	await "a-saw-d$round" 180 >/dev/null || fail "a never paired with d ($round)"
	[ $round = 2 ] && break
	lab_put destroying 1
	xl destroy guest-d || fail "xl destroy failed"
	lab_put destroyed 1
	# A domain whose pages someone still maps stays as "(null)".
	n=0
	while xl list | grep -q '(null)'; do
		n=$((n + 1))
		[ $n -lt 20 ] || { xl list; fail "destroyed guest-d lingers as (null) after 10 s"; }
		sleep 0.5
	done
	lab_metric zombie_gone_ms $((n * 500))
	await a-saw-down 60 >/dev/null || fail "a did not see the channel go down"
done
await a-done 120 >/dev/null || fail "a did not finish"
xl destroy guest-d
kill $DAEMON 2>/dev/null
wait $DAEMON 2>/dev/null
cat /tmp/tsmc-daemon-death.log
tsmc-xenctl disable "$DOMID_A" || fail "disable a failed"
lab_verdict pass
