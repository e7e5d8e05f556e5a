. /lab/lab-lib.sh
. /lab/tsmc-lib.sh
# The victim: load the module, pair with a, serve a's stream, wait to be
# destroyed.
insmod "$KO" || exit 1
wait_state "$DOMID_A" connected 120 || exit 1
# a's stream to us is switched when we die.
tsmc-bpf || exit 1
tcp_stream_sha server -b :: -p 5004 >/dev/null 2>&1 &
# d cannot write to the lab's directory: it says "listening" in its own,
# and dom0 passes that on to a.
wait_until 60 listening 5004 || exit 1
xenstore-write data/lab/listening 1
sleep 100000
