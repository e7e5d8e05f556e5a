# shellcheck shell=sh
# dom0 helpers for scenarios that pair two guests with the real tsmc-xenctl.

# pair_provision DOMID DOMID: host tag, policy allow, both enabled, daemon
# running (pid in DAEMON, log in /tmp/tsmc-daemon.log; the domids ordered
# in PAIR_LO, PAIR_HI); returns once
# the daemon has written the pair into the higher domid's peers/.
pair_provision() {
	command -v tsmc-xenctl >/dev/null || lab_fail "tsmc-xenctl not built"
	tsmc-xenctl init || lab_fail "tsmc-xenctl init failed"
	tsmc-xenctl policy default allow || lab_fail "policy default allow failed"
	tsmc-xenctl enable "$1" || lab_fail "enable $1 failed"
	tsmc-xenctl enable "$2" || lab_fail "enable $2 failed"
	tsmc-xenctl daemon >/tmp/tsmc-daemon.log 2>&1 &
	DAEMON=$!
	PAIR_LO=$1 PAIR_HI=$2
	[ "$PAIR_LO" -lt "$PAIR_HI" ] || { PAIR_LO=$2; PAIR_HI=$1; }
	_pend=$(lab_deadline 10)
	until xenstore-exists "/local/domain/$PAIR_HI/tsmc/peers/$PAIR_LO" 2>/dev/null; do
		lab_before "$_pend" || { cat /tmp/tsmc-daemon.log; kill $DAEMON; lab_fail "daemon did not provision the pair in 10 s"; }
		sleep 0.2
	done
}

# pair_daemon_stop: stop the daemon pair_provision started, show its log.
pair_daemon_stop() {
	kill "$DAEMON" 2>/dev/null
	wait "$DAEMON" 2>/dev/null
	cat /tmp/tsmc-daemon.log
}

# pair_scenario: dom0's whole part in a two-guest pair scenario: provision
# a and b, wait for both verdicts, stop the daemon, pass if both passed.
pair_scenario() {
	pair_provision "$DOMID_A" "$DOMID_B"
	lab_put provisioned 1
	_a=$(lab_get a-done $((LAB_TIMEOUT - 30)))
	_b=$(lab_get b-done 60)
	pair_daemon_stop
	[ "$_a" = pass ] && [ "$_b" = pass ] || lab_fail "guests reported a=$_a b=$_b"
	lab_verdict pass
}
