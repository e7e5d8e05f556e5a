# The third domain: enabled itself, but in no pair. It must neither read
# nor write the a-b pair directory, nor see the other guests' tsmc areas.
. /lab/lab-lib.sh
dir=$(lab_get pairdir 200) || lab_fail "dom0 never published the pair dir"
tag=$(lab_get tag 10) || lab_fail "dom0 never published the host tag"
fails=""
mustnot() { d=$1; shift; if "$@" >/dev/null 2>&1; then echo "FAIL mustnot $d: $*"; fails="$fails $d"; fi; }
# Positive control: xenstore works for us, so refusals below mean something.
[ "$(xenstore-read tsmc/host-tag 2>/dev/null)" = "$tag" ] || { echo "FAIL own tag"; fails="$fails own-tag"; }
mustnot read-pair-dir xenstore-read "$dir"
mustnot list-pair-dir xenstore-list "$dir"
mustnot read-uuid xenstore-read "$dir/uuid-lo"
mustnot read-a-state xenstore-read "$dir/$DOMID_A/state"
mustnot read-b-state xenstore-read "$dir/$DOMID_B/state"
mustnot read-refs xenstore-read "$dir/$DOMID_A/ctl-refs"
mustnot write-a-state xenstore-write "$dir/$DOMID_A/state" 4
mustnot write-b-version xenstore-write "$dir/$DOMID_B/version" 1
mustnot create-in-side xenstore-write "$dir/$DOMID_A/evil" x
mustnot create-in-pair xenstore-write "$dir/evil" x
mustnot list-all-pairs xenstore-list /local/domain/0/tsmc/pairs
mustnot read-dom0-tsmc xenstore-list /local/domain/0/tsmc
mustnot read-a-tag xenstore-read "/local/domain/$DOMID_A/tsmc/host-tag"
mustnot list-a-peers xenstore-list "/local/domain/$DOMID_A/tsmc/peers"
mustnot write-a-enabled xenstore-write "/local/domain/$DOMID_A/tsmc/enabled" 0
lab_put c_result "${fails:-ok}"
[ -z "$fails" ] || lab_fail "third domain got access:$fails"
lab_verdict pass
