. /lab/lab-lib.sh
ref=$(lab_get ref 60) && port=$(lab_get port 10) || lab_fail "no grant ref/port from b"
/lab/scenarios/grant-evtchn/out/gnt_evtchn_pingpong ping "$DOMID_B" "$ref" "$port" -n 1000 >/tmp/gnt.log
rc=$?
cat /tmp/gnt.log
[ $rc = 0 ] && [ "$(lab_tool_value /tmp/gnt.log checked)" = 1000 ] || lab_fail "ping-pong failed (exit $rc)"
lab_metric gnt_evtchn_rtt_us "$(lab_tool_value /tmp/gnt.log rtt_us_avg)"
lab_metric gnt_evtchn_rtt_p99_us "$(lab_tool_value /tmp/gnt.log rtt_us_p99)"
lab_metric gnt_map_retries "$(lab_tool_value /tmp/gnt.log map_retries)"
lab_verdict pass
