# Active side: one connection per step, each checked with the tool's echoes.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=b
await provisioned 60 >/dev/null || fail "dom0 did not provision"
program_attach ringbuf	# no module: the loader falls back to the ring buffer
await b-ready 60 >/dev/null || fail "b not ready"

# conn ADDR PORT: one checked ping-pong connection
conn() { tcp_pingpong client -c "$1" -p "$2" -n 20 >/tmp/pp.log 2>&1 || { cat /tmp/pp.log; return 1; }; }

conn "$IP_B" 5101 || fail "IPv4 connection failed"
expect_stats opt_sent_syn=1 candidate=1 no_opt=0 || fail "IPv4: counters"
lab_put a-v4 1
await b-v4 60 >/dev/null || fail "b: IPv4 counters"
conn "$IP6_B" 5106 || fail "IPv6 connection failed"
expect_stats opt_sent_syn=2 candidate=2 no_opt=0 || fail "IPv6: counters"
lab_put a-v6 1
await b-v6 60 >/dev/null || fail "b: IPv6 counters"
conn "$IP_B" 5101 || fail "connection to another-host peer failed"
expect_stats opt_sent_syn=3 candidate=2 no_opt=1 || fail "other host: counters"
lab_put a-other 1
tsmc-bpf --detach || fail "detach failed"
dmesg_clean || fail "kernel warnings"
await b-done 60 >/dev/null || fail "b did not finish"
lab_put a-done pass
lab_verdict pass
