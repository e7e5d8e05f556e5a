# dom0 part: drives tsmc-xenctl against the real xenstored and measures.
. /lab/lab-lib.sh
set -u
S=/run/tsmc-lab
OUTD=/lab/scenarios/$LAB_SCEN/out
X() { tsmc-xenctl --state-dir "$S" --policy "$S/policy" "$@"; }
fails=""
ms() { echo $(($(date +%s%N) / 1000000)); }
T0=$(ms)
fail() { echo "[+$(($(ms) - T0)) ms] FAIL: $*"; fails="$fails ${1// /_}"; }
ok() { echo "[+$(($(ms) - T0)) ms] ok: $*"; }
step() { echo "[+$(($(ms) - T0)) ms] --- $*"; }
# Every tsmc node outside the guests' own data/ areas, with perms.
# Values the guests' modules write (pair side leaves) are masked: a module
# left loaded by another scenario may move its state at any time.
tsmcdump() {
	xenstore-ls -f -p / 2>/dev/null | grep -E '^/local/domain/[0-9]+/tsmc( |/)' |
		sed -E 's#^(/local/domain/0/tsmc/pairs/[0-9]+-[0-9]+/[0-9]+/[a-z-]+) = ".*"( +\()#\1 = *\2#' | sort
}
# wait_until MAX_MS CMD...: poll CMD every ~20 ms; echo elapsed ms; rc 1 on timeout.
wait_until() {
	local max=$1 t0 now
	shift
	t0=$(ms)
	while :; do
		if "$@" >/dev/null 2>&1; then echo $(($(ms) - t0)); return 0; fi
		now=$(ms)
		[ $((now - t0)) -ge "$max" ] && { echo $((now - t0)); return 1; }
		sleep 0.02
	done
}
# Watch-event timestamps (xswatch.py, one long-lived process): the latency
# from the triggering commit to the daemon's change, free of the cost of
# spawning a probe process (over a second each in a loaded emulated dom0).
watch_start() {
	rm -f "$S/w.log"
	python3 "/lab/scenarios/$LAB_SCEN/xswatch.py" "$S/w.log" "$@" &
	WPID=$!
	wait_until 30000 grep -q ready "$S/w.log" >/dev/null || echo "xswatch not ready"
	sleep 1	# let the initial event of every new watch pass
	WSINCE=$EPOCHREALTIME
}
watch_stop() { kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null; }
# watch_latency TRIGGER TARGET: ms from the last TRIGGER event to the first
# TARGET event after it (both path prefixes), events after watch_start only.
watch_latency() {
	awk -v tr="$1" -v tg="$2" -v after="$WSINCE" '
		$1 > after && !done {
			if (index($2, tg) == 1 && last) { printf "%d\n", ($1 - last) * 1000 + 0.5; done = 1 }
			else if (index($2, tr) == 1) last = $1
		}' "$S/w.log"
}
# judge NAME PROBE_MS TRIGGER TARGET: the watch latency and the probe's
# upper bound (incl. process spawn) as metrics. The 1 s target is a figure
# the report prints against, never a verdict: an emulated dom0 on a loaded
# CI machine is 2-4 times slower than one here (1188 ms in a CI run).
judge() {
	local name=$1 probe=$2 lat
	lat=$(watch_latency "$3" "$4")
	lab_metric "${name}_probe_ms" "$probe"
	if [ -n "$lat" ]; then
		lab_metric "${name}_ms" "$lat"
		echo "$name: $lat ms after the trigger (target <= 1000 ms)"
	else
		echo "no watch timing for $name (probe bound $probe ms)"; cat "$S/w.log"
	fi
}
CGEN=/local/domain/0/tsmc/config-gen
gone() { ! xenstore-exists "$1"; }
ready_listener() {	# READY=1 datagram -> $S/notify.out
	rm -f "$S/notify.sock" "$S/notify.out"
	python3 - "$S/notify.sock" "$S/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(60)
try:
    msg = s.recv(64).decode()
except OSError:
    msg = "timeout"
open(sys.argv[2], "w").write(msg)
PY
	LISTENER=$!
	for _ in $(seq 50); do [ -S "$S/notify.sock" ] && return 0; sleep 0.1; done
	return 1
}
start_daemon() {
	ready_listener || fail "notify listener"
	(
		export NOTIFY_SOCKET=$S/notify.sock
		exec tsmc-xenctl --state-dir "$S" --policy "$S/policy" daemon
	) >>"$S/daemon.log" 2>&1 &
	DAEMON=$!
	wait_until 20000 grep -q READY=1 "$S/notify.out" >/dev/null || fail "daemon sent no READY=1"
	wait "$LISTENER" 2>/dev/null
}
stop_daemon() {	# the daemon's exit code -> $DRC (no subshell: wait needs the child)
	kill -TERM "$DAEMON" 2>/dev/null
	wait "$DAEMON"
	DRC=$?
}

pgrep -f 'tsmc-xenctl.*daemon' && lab_fail "another tsmc-xenctl daemon is running"
command -v tsmc-xenctl >/dev/null || lab_fail "tsmc-xenctl not built (see build.log)"
rm -rf "$S" && mkdir -p "$S"
xenstore-rm /local/domain/0/tsmc 2>/dev/null
for id in $DOMID_A $DOMID_B $DOMID_C; do xenstore-rm "/local/domain/$id/tsmc" 2>/dev/null; done
NAME_A=$(xenstore-read "/local/domain/$DOMID_A/name")
NAME_B=$(xenstore-read "/local/domain/$DOMID_B/name")
UUID_C=$(xenstore-read "/local/domain/$DOMID_C/vm"); UUID_C=${UUID_C##*/}
LO=$((DOMID_A < DOMID_B ? DOMID_A : DOMID_B)); HI=$((DOMID_A + DOMID_B - LO))
PAIR=/local/domain/0/tsmc/pairs/$LO-$HI

# --- how slow is this (emulated) dom0? context for the timings below ----
t=$(ms); for _ in 1 2 3 4 5 6 7 8 9 10; do xenstore-read /local/domain/0/name >/dev/null; done
lab_metric xenstore_read_proc_ms $((($(ms) - t) / 10))

# --- usage and bad input: exit codes, nothing written ---------------------
X frobnicate; [ $? = 2 ] || fail "unknown command not exit 2"
X enable; [ $? = 2 ] || fail "enable without DOM not exit 2"
X enable "$NAME_A"; [ $? = 1 ] || fail "enable before init not exit 1"
X init || fail "init"
TAG=$(head -c 16 "$S/host-tag")
X init && [ "$(head -c 16 "$S/host-tag")" = "$TAG" ] || fail "second init changed the tag"
before=$(tsmcdump)
X enable no-such-domain; [ $? = 1 ] || fail "unknown domain not exit 1"
printf 'default deny\nallow guest-a\n' >"$S/bad-policy"
X policy load "$S/bad-policy"; [ $? = 1 ] || fail "malformed policy not exit 1"
[ "$(tsmcdump)" = "$before" ] || fail "bad input changed xenstore"

step "policy, daemon, enable"
# --- policy, daemon, enable: provisioning latency (target 1 s) ----------
printf 'default deny\nallow name:%s name:%s\nallow name:%s name:xenctl-d\n' \
	"$NAME_A" "$NAME_B" "$NAME_A" >"$S/policy.in"
X policy load "$S/policy.in" || fail "policy load"
X policy show
start_daemon
watch_start "$CGEN" "$PAIR"
X enable "$DOMID_A" || fail "enable by domid"
X enable "$UUID_C" || fail "enable by uuid"
X enable "$NAME_B" || fail "enable by name"
# Pair dir and pointers are written in one transaction: one probe suffices.
if t=$(wait_until 20000 xenstore-exists "$PAIR"); then
	sleep 1
	judge provision "$t" "$CGEN" "$PAIR"
else
	fail "pair $PAIR never provisioned"
fi
watch_stop
xenstore-exists "/local/domain/$HI/tsmc/peers/$LO" || fail "peer pointer missing"
[ "$(xenstore-list /local/domain/0/tsmc/pairs | tr '\n' ' ')" = "$LO-$HI " ] ||
	fail "pairs other than $LO-$HI: $(xenstore-list /local/domain/0/tsmc/pairs | tr '\n' ' ')"
[ "$(xenstore-read "/local/domain/$DOMID_C/tsmc/host-tag")" = "$TAG" ] || fail "guest c tag"

step "guests check isolation"
# --- guests check isolation from inside -----------------------------------
lab_put tag "$TAG"
lab_put pairdir "$PAIR"
for r in a b c; do
	res=$(lab_get "${r}_result" 120) || res="no answer"
	[ "$res" = ok ] && ok "guest $r isolation checks" || fail "guest $r: $res"
done

step "status (real"
# --- status (real libxenctrl grant query) ---------------------------------
X status "$NAME_A" | tee "$S/status.txt"
grep -q "pair:     peer $DOMID_B" "$S/status.txt" || fail "status shows no pair"
grep -Eq 'grants:   [0-9]+ of [0-9]+ frames in use' "$S/status.txt" || fail "status has no grant frames"
X -j status >"$S/status.json" || fail "status --json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$S/status.json" || fail "status JSON invalid"

step "schema checker on the live"
# --- schema checker on the live tree ---------------------------------------
xenstore-ls -f -p >"$S/live.dump"
if python3 "$OUTD/check_dump.py" --schema "$OUTD/schema.json" "$S/live.dump"; then
	ok "live tree conforms to the schema"
else
	fail "schema check of the live tree"
fi
xenstore-ls -p /local/domain/0/tsmc >"$S/live-tree.dump"
python3 "$OUTD/check_dump.py" --schema "$OUTD/schema.json" --root /local/domain/0/tsmc \
	"$S/live-tree.dump" || fail "schema check of xenstore-ls -p output"

step "daemon restart"
# --- daemon restart: nothing lost, nothing duplicated ----------------------
before=$(tsmcdump)
stop_daemon
[ "$DRC" = 0 ] || fail "daemon exit $DRC on SIGTERM"
grep -q 'daemon stopping' "$S/daemon.log" || fail "no clean stop message"
[ "$(tsmcdump)" = "$before" ] || fail "stopping the daemon changed xenstore"
start_daemon
sleep 1.5	# past both follow-up passes
[ "$(tsmcdump)" = "$before" ] && ok "restart kept the tree as it was" || {
	fail "restart changed the tree"
	diff <(echo "$before") <(tsmcdump)
}
echo "--- daemon log so far"; cat "$S/daemon.log"
t=$(ms); X daemon --once >/dev/null 2>&1; lab_metric noop_pass_proc_ms $(($(ms) - t))

step "policy change and disable"
# --- policy change and disable/enable: cleanup latency (target 1 s) ---
watch_start "$CGEN" "$PAIR"
X policy remove 1 || fail "policy remove"
if t=$(wait_until 20000 gone "$PAIR"); then
	sleep 1
	judge policy_cleanup "$t" "$CGEN" "$PAIR"
else
	fail "pair survived a policy deny"
fi
watch_stop
gone "/local/domain/$LO/tsmc/peers/$HI" || fail "peer pointer left after policy deny"
X policy allow "$NAME_B" "$NAME_A" || fail "policy allow"
wait_until 15000 xenstore-exists "$PAIR" >/dev/null || fail "pair not re-provisioned"
X disable "$NAME_B" || fail "disable"
gone "$PAIR" || fail "disable left the pair"
[ "$(xenstore-read "/local/domain/$DOMID_B/tsmc/enabled")" = 0 ] || fail "disable: enabled != 0"
gone "/local/domain/$DOMID_B/tsmc/host-tag" || fail "disable left the tag"
X enable "$NAME_B" || fail "re-enable"
wait_until 15000 xenstore-exists "$PAIR" >/dev/null || fail "pair not back after enable"

step "xl destroy"
# --- xl destroy: cleanup latency (target 1 s) --------------------------
cat >"$S/d.cfg" <<CFG
name = "xenctl-d"
type = "pv"
kernel = "/lab/guest/vmlinux"
ramdisk = "/lab/guest/initrd.gz"
memory = 256
vcpus = 1
CFG
if timeout 90 xl create -p "$S/d.cfg"; then	# paused: it only has to exist
	D=$(xl domid xenctl-d)
	X enable xenctl-d || fail "enable xenctl-d"
	DPAIR=/local/domain/0/tsmc/pairs/$((DOMID_A < D ? DOMID_A : D))-$((DOMID_A < D ? D : DOMID_A))
	wait_until 15000 xenstore-exists "$DPAIR" >/dev/null || fail "pair with xenctl-d not provisioned"
	watch_start @releaseDomain "$DPAIR"
	t0=$(ms)
	timeout 60 xl destroy xenctl-d || fail "xl destroy"
	t1=$(ms)
	lab_metric xl_destroy_ms $((t1 - t0))
	# Probe from xl destroy's return; the watch from xenstored's @releaseDomain.
	if t=$(wait_until 20000 gone "$DPAIR"); then
		sleep 1
		judge destroy_cleanup "$t" @releaseDomain "$DPAIR"
	else
		fail "pair with destroyed domain not removed"
	fi
	watch_stop
	gone "/local/domain/$DOMID_A/tsmc/peers/$D" || fail "peer pointer to destroyed domain left"
	xenstore-exists "$PAIR" || fail "destroy of d removed the a-b pair"
else
	fail "xl create -p xenctl-d"
fi

step "final schema check"
# --- final schema check, then leave the host as we found it ---------------
xenstore-ls -f -p >"$S/live2.dump"
python3 "$OUTD/check_dump.py" --schema "$OUTD/schema.json" "$S/live2.dump" || fail "final schema check"
stop_daemon
[ "$DRC" = 0 ] || fail "daemon exit $DRC at the end"
echo "--- daemon log"; cat "$S/daemon.log"
xenstore-rm /local/domain/0/tsmc 2>/dev/null
for id in $DOMID_A $DOMID_B $DOMID_C; do xenstore-rm "/local/domain/$id/tsmc" 2>/dev/null; done
xl list | grep -q xenctl-d && xl destroy xenctl-d
[ -z "$fails" ] || lab_fail "$fails"
lab_verdict pass
