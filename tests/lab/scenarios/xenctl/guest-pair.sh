# Shared by guest-a.sh and guest-b.sh: a member of the provisioned pair
# checks what it may and may not do in its pair directory.
. /lab/lab-lib.sh
me=$LAB_MYID
case $LAB_ROLE in a) peer=$DOMID_B ;; *) peer=$DOMID_A ;; esac
dir=$(lab_get pairdir 200) || lab_fail "dom0 never published the pair dir"
tag=$(lab_get tag 10) || lab_fail "dom0 never published the host tag"
fails=""
# must: the command has to succeed; mustnot: it has to be refused
must() { d=$1; shift; "$@" >/dev/null 2>&1 || { echo "FAIL must $d: $*"; fails="$fails $d"; }; }
mustnot() { d=$1; shift; if "$@" >/dev/null 2>&1; then echo "FAIL mustnot $d: $*"; fails="$fails $d"; fi; }

[ "$(xenstore-read tsmc/host-tag 2>/dev/null)" = "$tag" ] || { echo "FAIL own tag"; fails="$fails own-tag"; }
[ "$(xenstore-read tsmc/enabled 2>/dev/null)" = 1 ] || fails="$fails own-enabled"
[ "$(xenstore-read "tsmc/peers/$peer" 2>/dev/null)" = "$dir" ] || { echo "FAIL peer link"; fails="$fails peer-link"; }
must read-uuid xenstore-read "$dir/uuid-lo"
must read-peer-state xenstore-read "$dir/$peer/state"
must read-own-state xenstore-read "$dir/$me/state"
v=$(xenstore-read "$dir/$me/version" 2>/dev/null)
must write-own-side xenstore-write "$dir/$me/version" "$v"
mustnot write-peer-side xenstore-write "$dir/$peer/version" 7
mustnot write-pair-dir xenstore-write "$dir/uuid-lo" x
mustnot list-all-pairs xenstore-list /local/domain/0/tsmc/pairs
mustnot write-own-tag xenstore-write tsmc/host-tag 0000000000000000
mustnot write-own-enabled xenstore-write tsmc/enabled 0
mustnot read-peer-tag xenstore-read "/local/domain/$peer/tsmc/host-tag"
lab_put "${LAB_ROLE}_result" "${fails:-ok}"
[ -z "$fails" ] || lab_fail "refused/allowed wrongly:$fails"
lab_verdict pass
