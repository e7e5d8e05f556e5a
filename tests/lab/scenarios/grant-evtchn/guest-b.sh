. /lab/lab-lib.sh
bin=/lab/scenarios/grant-evtchn/out/gnt_evtchn_pingpong
"$bin" serve "$DOMID_A" -n 1000 >/tmp/gnt-serve.log &
srv=$!
for _ in $(seq 50); do grep -q '^port ' /tmp/gnt-serve.log && break; sleep 0.2; done
grep -q '^port ' /tmp/gnt-serve.log || { kill $srv; lab_fail "server did not publish ref/port"; }
lab_put ref "$(lab_tool_value /tmp/gnt-serve.log ref)"
lab_put port "$(lab_tool_value /tmp/gnt-serve.log port)"
wait $srv
rc=$?
cat /tmp/gnt-serve.log
[ $rc = 0 ] && [ "$(lab_tool_value /tmp/gnt-serve.log served)" = 1000 ] || lab_fail "server exit $rc"
lab_verdict pass
