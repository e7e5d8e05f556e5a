# Passive side: answers a's SYNs; a drives the steps, b checks its own counters.
. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
OTHER=a
await provisioned 60 >/dev/null || fail "dom0 did not provision"
program_attach ringbuf	# no module: the loader falls back to the ring buffer
tcp_pingpong server -b 0.0.0.0 -p 5101 >/dev/null &
tcp_pingpong server -b :: -p 5106 >/dev/null &
sleep 1
lab_put b-ready 1

await a-v4 60 >/dev/null || fail "a: IPv4 step"
expect_stats opt_sent_synack=1 candidate=1 tag_mismatch=0 || fail "IPv4: counters"
lab_put b-v4 1
await a-v6 60 >/dev/null || fail "a: IPv6 step"
expect_stats opt_sent_synack=2 candidate=2 tag_mismatch=0 || fail "IPv6: counters"
# Another host's tag: b must not answer, a's connection stays plain TCP.
tsmc-bpf --update --domid "$LAB_MYID" --host-tag 0011223344556677 ||
	fail "tsmc-bpf --update failed"
lab_put b-v6 1
await a-other 60 >/dev/null || fail "a: other-host step"
expect_stats opt_sent_synack=2 candidate=2 tag_mismatch=1 || fail "other host: counters"
tsmc-bpf --detach || fail "detach failed"
dmesg_clean || fail "kernel warnings"
lab_put b-done pass
lab_verdict pass
