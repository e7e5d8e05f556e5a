#!/bin/sh
# shellcheck disable=SC2016,SC2086 # inner sh -c scripts; $ID is split on purpose
# SPDX-License-Identifier: GPL-2.0
# tsmc-bpf rejects bad input with a message and exit status 2 (usage) or 1,
# before touching the kernel; as root also the environment errors (no BTF,
# no cgroup v2, no capabilities, already attached) and the attach / status /
# update / detach cycle, each in a private mount namespace.
# Usage: cli_test.sh PATH/TO/tsmc-bpf
LOADER=${1:?usage: cli_test.sh PATH/TO/tsmc-bpf}
pass=0 fail=0

# expect STATUS PATTERN ARGS...: exit status and a stderr line matching
# RUN (default: nothing) prefixes the command, e.g. to drop privileges.
expect() {
	want=$1 pattern=$2
	shift 2
	err=$($RUN "$LOADER" "$@" 2>&1 >/dev/null)
	got=$?
	if [ "$got" -eq "$want" ] && printf '%s\n' "$err" | grep -q -- "$pattern"; then
		pass=$((pass + 1))
		echo "ok - ${RUN:+$RUN: }tsmc-bpf $*"
	else
		fail=$((fail + 1))
		echo "FAIL - ${RUN:+$RUN: }tsmc-bpf $*: status $got (want $want), stderr: $err"
	fi
}

expect 2 "bad domid" --domid 70000 --host-tag 0011223344556677
expect 2 "bad domid" --domid 12x --host-tag 0011223344556677
expect 2 "bad host tag" --domid 1 --host-tag 00112233
expect 2 "bad host tag" --domid 1 --host-tag 00112233445566ZZ
expect 2 "bad host tag" --domid 1 --host-tag 0011223344556677AA
expect 2 "bad port" --exclude-port 0
expect 2 "bad port" --exclude-port 65536
expect 2 "bad prefix" --exclude-prefix 10.0.0.0
expect 2 "bad prefix" --exclude-prefix 10.0.0.0/33
expect 2 "bad prefix" --exclude-prefix fd00::/129
expect 2 "bad doorbell" --doorbell pigeon
expect 2 "unexpected argument" stray
expect 2 "absolute path" --pin-dir relative/dir
expect 2 "together" --update --domid 3
expect 1 "not a cgroup v2" --cgroup /proc --domid 1 --host-tag 0011223344556677
expect 1 "not attached" --detach --pin-dir /sys/fs/bpf/tsmc-cli-test-none
ID="--domid 1 --host-tag 0011223344556677"	# word-split on purpose

# run "$@" where /sys/kernel/btf is empty / no cgroup2 is mounted (private
# mount namespace: the host is not touched)
without_btf() {
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"' "$@"
}
without_cgroup2() {
	unshare -m sh -c 'for m in $(grep " cgroup2 " /proc/self/mounts |
		cut -d" " -f2); do umount -l "$m"; done; exec "$0" "$@"' "$@"
}
if [ "$(id -u)" -eq 0 ]; then
	RUN="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" \
		expect 1 "missing CAP_BPF" $ID
	RUN=without_btf expect 1 "kernel has no BTF" $ID
	RUN=without_cgroup2 expect 1 "no cgroup v2 mounted" $ID

	# attach, refuse a second attach (same pins, or other pins on the same
	# cgroup), status, update, detach: one private mount namespace
	cg=$(grep ' cgroup2 ' /proc/self/mounts | cut -d' ' -f2 | head -n1)
	cg=$cg/tsmc-cli-test-$$
	mkdir "$cg"
	out=$(unshare -m --propagation private sh -c '
		L=$1 CG=$2 P=/sys/fs/bpf/tsmc-cli-$$; shift 2
		"$L" --cgroup "$CG" --pin-dir $P "$@" --exclude-port 22 >/dev/null &&
		echo attach-ok
		"$L" --cgroup "$CG" --pin-dir $P "$@" 2>&1 | grep -q "already attached: .*link exists" &&
		echo again-refused
		"$L" --cgroup "$CG" --pin-dir $P-other "$@" 2>&1 |
			grep -q "already attached: program tsmc_sockops" && echo other-refused
		"$L" --update --pin-dir $P --disable --exclude-prefix 10.1.0.0/16 &&
		"$L" --status --pin-dir $P | tr "
" " "
		"$L" --detach --pin-dir $P && echo detach-ok
		[ ! -e $P ] && echo pins-gone
		rmdir $P-other 2>/dev/null
		' sh "$LOADER" "$cg" $ID 2>&1)
	rmdir "$cg"
	for want in attach-ok again-refused other-refused "enabled: 0" \
		"exclude-port: 22" "exclude-prefix: 10.1.0.0/16" "domid: 1" \
		"host-tag: 0011223344556677" detach-ok pins-gone; do
		if printf '%s\n' "$out" | grep -q -- "$want"; then
			pass=$((pass + 1))
			echo "ok - lifecycle: $want"
		else
			fail=$((fail + 1))
			echo "FAIL - lifecycle: $want missing in: $out"
		fi
	done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
