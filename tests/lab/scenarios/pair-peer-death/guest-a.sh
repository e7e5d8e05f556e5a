. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=dom0
# A module left loaded by an earlier failed scenario must not fail this one.
unload_module 2>/dev/null
dmesg -c >/dev/null
insmod "$KO" || fail "insmod failed"
program_attach "$(want_doorbell)"

d1=$(await d1 300) || fail "no guest-d from dom0"
wait_state "$d1" connected 120 || fail "pair with d ($d1) did not connect"
# A switched stream to d is running when d dies: it must end in a reset.
ip_d=$(await d-ip 5) || fail "dom0 did not say d's address"
await d-listening 300 >/dev/null || fail "d never listened"
(tcp_stream_sha client -c "$ip_d" -p 5004 -B 4G >/tmp/ss.log 2>&1
echo $? >/tmp/ss.rc) &
wait_until 60 sending_to "$ip_d:5004" || { cat /tmp/ss.log; fail_state "no switched stream to d"; }
[ -s /tmp/ss.rc ] && { cat /tmp/ss.log; fail "the stream to d ended before d died"; }
lab_put a-saw-d1 1

# d is destroyed without a word: our side must notice and drop its pages.
await destroying 120 >/dev/null || fail "dom0 did not destroy d"
t0=$(now_ms)
await destroyed 120 >/dev/null || fail "dom0 did not finish destroying d"
t1=$(now_ms)
n=0
while [ "$(pair_state "$d1")" = connected ]; do
	n=$((n + 1))
	[ $n -lt 200 ] || fail "pair with dead domain $d1 still connected after 10 s"
	sleep 0.05
done
down_ms=$(($(now_ms) - t1))
lab_metric peer_down_ms "$down_ms"
lab_metric xl_destroy_ms $((t1 - t0))
[ "$down_ms" -le 2000 ] || fail "channel went down $down_ms ms after xl destroy returned (limit 2000)"
# The stream's sender, asleep on a full ring or copying, gets a reset.
wait_until 10 test -s /tmp/ss.rc || fail_state "stream to dead d still blocked 10 s after the channel went down"
cat /tmp/ss.log
[ "$(cat /tmp/ss.rc)" != 0 ] && grep -q 'Connection reset' /tmp/ss.log ||
	fail "stream to dead d: exit $(cat /tmp/ss.rc), no reset"
lab_put a-saw-down 1
# dom0's daemon removes the pair directory; we then drop the pair itself.
n=0
while [ -n "$(pair_state "$d1")" ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "pair with dead domain $d1 not removed after 10 s"
	sleep 0.1
done

d2=$(await d2 300) || fail "no second guest-d from dom0"
[ "$d2" != "$d1" ] || fail "recreated guest-d has the old domid"
wait_state "$d2" connected 120 || fail "pair with recreated d ($d2) did not connect"
echo "$d2 100" >"$SYS/ping" || fail "ping to recreated d: $(cat "$SYS/ping")"
[ "$(ping_field ok)" = 100 ] || fail "ping to recreated d: $(cat "$SYS/ping")"
lab_put a-saw-d2 1
unload_module || fail "rmmod failed"
dmesg_clean || { cat /tmp/dmesg.log; fail "dmesg shows WARNING/BUG/Oops"; }
cat /tmp/dmesg.log
lab_put a-done pass
lab_verdict pass
