# shellcheck shell=bash
# dom0 helpers of the pair-peer-death scenario.
OTHER=a

# fail REASON: tell guest a, give verdict fail
fail() {
	lab_put dom0-done fail
	lab_fail "$1"
}

# await KEY SECONDS: lab_get that gives up when guest a has failed.
await() {
	local t=$(($2 * 5))
	while [ "$t" -gt 0 ]; do
		xenstore-read "/local/lab/$LAB_SCEN/$1" 2>/dev/null && return 0
		[ "$(xenstore-read "/local/lab/$LAB_SCEN/a-done" 2>/dev/null)" = fail ] && return 1
		sleep 0.2
		t=$((t - 1))
	done
	echo "await: no '$1' after $2 s" >&2
	return 1
}

# start_d: create guest-d, hand it the scenario; prints its domid.
start_d() {
	local d n=0
	xl create /tmp/guest-d.cfg >&2 || return 1
	d=$(xl domid guest-d) || return 1
	until [ "$(xenstore-read "/local/domain/$d/data/lab/agent/ready" 2>/dev/null)" = 1 ]; do
		n=$((n + 1))
		[ $n -lt 400 ] || return 1
		sleep 0.5
	done
	xenstore-write "/local/domain/$d/data/lab/env" "$(tr '\n' ';' </lab/env.sh)"
	xenstore-write "/local/domain/$d/data/lab/cmd" "$d $LAB_SCEN $LAB_TIMEOUT"
	echo "$d"
}

# d_listening DOMID SECONDS: wait until guest-d serves a's stream.
d_listening() {
	local t=$(($2 * 5))
	until [ "$(xenstore-read "/local/domain/$1/data/lab/listening" 2>/dev/null)" = 1 ]; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || return 1
		sleep 0.2
	done
}
