#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the same checks inside a QEMU guest booted on another kernel, e.g.
# Debian 12's 6.1, to prove the program passes that kernel's verifier and
# behaves the same there. Not part of "make check" (it needs a kernel
# image and KVM); "make check-vm KROOT=..." runs it.
#
# KROOT is an unpacked linux-image package:
#   apt-get download linux-image-6.1.0-56-amd64
#   dpkg-deb -x linux-image-6.1.0-56-amd64_*.deb /tmp/k61
#   tests/unit/bpf/vm_check.sh /tmp/k61 bpf/build/tsmc-bpf build/handshake_test
# The guest's userland is this host's binaries and their libraries.
set -eu
KROOT=${1:?usage: vm_check.sh KROOT LOADER HANDSHAKE_TEST}
LOADER=$(readlink -f "${2:?loader}")
HS=$(readlink -f "${3:?handshake_test}")
here=$(cd "$(dirname "$0")" && pwd)
vmlinuz=$(find "$KROOT/boot" -name 'vmlinuz-*' | head -n1)
kver=${vmlinuz##*/vmlinuz-}
veth=$(find "$KROOT/lib/modules/$kver/kernel/drivers/net" -name 'veth.ko*' \
	2>/dev/null | head -n1)
if [ ! -f "$vmlinuz" ] || [ -z "$veth" ]; then
	echo "Error: $KROOT has no boot/vmlinuz-* with drivers/net/veth.ko" >&2
	exit 1
fi

work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT INT TERM
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/run" \
	"$root/tmp" "$root/t"

# binaries keep their host paths so that the test's built-in paths work
copy() {
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
			mkdir -p "$root$(dirname "$lib")"
			cp -Ln "$lib" "$root$lib" 2>/dev/null || true
		done
	done
}
copy /usr/bin/sh /usr/sbin/ip /usr/bin/unshare /usr/bin/mount /usr/bin/tee \
	/usr/bin/tail /usr/bin/grep /usr/bin/mktemp /usr/bin/rm \
	/usr/bin/dirname /usr/bin/mkdir /usr/bin/cat /usr/sbin/insmod \
	/usr/bin/uname /usr/bin/id /usr/bin/setpriv /usr/bin/cut /usr/bin/umount \
	/usr/bin/tr /usr/bin/rmdir /usr/bin/head "$LOADER" "$HS"
cp "$here/run_checks.sh" "$here/cli_test.sh" "$root/t/"
cp "$veth" "$root/t/${veth##*/}"
ln -s /usr/bin/sh "$root/bin/sh"
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup
insmod /t/veth.ko* || echo "@@VM insmod veth failed"
echo "@@VM kernel $(uname -r)"
/t/run_checks.sh @LOADER@ @HS@ 2>&1
echo "@@VM exit $?"
echo o > /proc/sysrq-trigger
# power-off is asynchronous: init must not exit (that panics) meanwhile
while :; do :; done
INIT
sed -i "s|@LOADER@|$LOADER|; s|@HS@|$HS|" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd"
# TCG: nested KVM on the build machines hangs; TCG boots in seconds
timeout 600 qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 1 \
	-kernel "$vmlinuz" -initrd "$work/initrd" -nographic -no-reboot \
	-append "console=ttyS0 rdinit=/init quiet panic=-1" </dev/null \
	>"$work/serial" 2>&1 || true
# the console may put escape sequences before the first mark
tr -d '\r' <"$work/serial" | sed -n '/@@VM kernel/,/^@@VM exit/p' |
	sed 's/^.*@@VM kernel/@@VM kernel/'
grep -aq '^@@VM exit 0' "$work/serial"
