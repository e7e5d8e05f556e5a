#!/bin/bash
# The Xen lab, one kernel per run: fetch (cached) -> build in chroot ->
# initramfs images -> QEMU (Xen + PV dom0 + domUs) -> scenarios -> results.
# Environment: LAB_KERNEL=6.1|6.12, LAB_GUEST=pv|pvh, LAB_SCENARIOS="a b" (or a,b),
# LAB_RUN (out/ subdir name). See README.md.
set -u -o pipefail
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
. "$LAB_DIR/lib/common.sh"
. "$LAB_DIR/lib/fetch.sh"
. "$LAB_DIR/lib/chroots.sh"
. "$LAB_DIR/lib/build.sh"
. "$LAB_DIR/lib/images.sh"
. "$LAB_DIR/lib/qemu.sh"
. "$LAB_DIR/lib/report.sh"
. "$LAB_DIR/lib/select.sh"

LAB_KERNEL=${LAB_KERNEL:-6.1}
LAB_GUEST=${LAB_GUEST:-pv}
LAB_QEMU_MEM=${LAB_QEMU_MEM:-3072}
LAB_DOM0_MEM=${LAB_DOM0_MEM:-1024}
LAB_GUEST_MEM=${LAB_GUEST_MEM:-256}
LAB_BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-180}
case $LAB_GUEST in pv | pvh) ;; *) die "LAB_GUEST must be pv or pvh, not '$LAB_GUEST'" ;; esac
case $LAB_KERNEL in 6.1 | 6.12) ;; *) die "LAB_KERNEL must be 6.1 or 6.12, not '$LAB_KERNEL'" ;; esac
LAB_RUN=${LAB_RUN:-run-$LAB_KERNEL$([ "$LAB_GUEST" = pv ] || echo "-$LAB_GUEST")}
LAB_OUT_TOP=$LAB_DIR/out
LAB_OUT=$LAB_OUT_TOP/$LAB_RUN
WORK=$LAB_CACHE/work/$LAB_RUN

trap 'qemu_stop' EXIT
trap 'info "interrupted"; exit 130' INT TERM HUP

# Scenarios: default = lib/select.sh's set for `make lab`, or for `make
# check` with LAB_MODE=check.
if [ -z "${LAB_SCENARIOS:-}" ]; then
	LAB_SCENARIOS=$(default_scenarios "$LAB_DIR/scenarios" "$LAB_KERNEL" "${LAB_MODE:-lab}" | tr '\n' ' ')
fi
LAB_SCENARIOS=$(echo "${LAB_SCENARIOS//,/ }" | xargs)
guests=" " limit=0
for s in $LAB_SCENARIOS; do
	[ -f "$LAB_DIR/scenarios/$s/scenario.conf" ] || die "no scenario '$s' (no tests/lab/scenarios/$s/scenario.conf)"
	TIMEOUT=60 GUESTS="a b"
	. "$LAB_DIR/scenarios/$s/scenario.conf"
	for g in $GUESTS; do
		case $g in a | b | c) ;; *) die "scenario $s: GUESTS may only name a, b, c (got '$g')" ;; esac
		guests+="$g "
	done
	limit=$((limit + TIMEOUT + 40))
done
LAB_GUESTS=$(for g in a b c; do [[ $guests == *" $g "* ]] && echo "$g"; done | xargs)
# Boot of Xen, dom0 and the guests under TCG on a busy 2-core host, plus log dump.
LAB_LIMIT=${LAB_LIMIT:-$((limit + 240 + LAB_BOOT_TIMEOUT))}

step "check host tools"
need_cmd qemu-system-x86_64:qemu-system-x86 mmdebstrap:mmdebstrap zstd:zstd cpio:cpio \
	dpkg-deb:dpkg apt-get:apt xz:xz-utils depmod:kmod modprobe:kmod chroot:coreutils gzip:gzip \
	clang:clang bpftool:bpftool
rm -rf "$LAB_OUT" && mkdir -p "$LAB_OUT/logs" "$WORK"
info "kernel $LAB_KERNEL, guest type $LAB_GUEST, scenarios: $LAB_SCENARIOS; guests: $LAB_GUESTS; out: $LAB_OUT"

step "fetch packages"
prepare_xen
prepare_kernel 6.1 DOM0
prepare_kernel "$LAB_KERNEL" GUEST
info "xen $XEN_VERSION, dom0 kernel $DOM0_KV, guest kernel $GUEST_KV ($GUEST_KVER)"
LAB_DOM0_VMLINUZ=$DOM0_KROOT/boot/vmlinuz-$DOM0_KV

step "dom0 root filesystem"
prepare_dom0_root
step "build chroot"
prepare_build_root "$GUEST_KV"
step "build in chroot"
build_in_chroot
step "guest initramfs"
build_guest_initrd "$WORK/guest-initrd.gz"
step "dom0 initramfs"
build_dom0_initrd "$WORK/dom0-initrd.img"
info "images: guest $(du -h "$WORK/guest-initrd.gz" | cut -f1), dom0 $(du -h "$WORK/dom0-initrd.img" | cut -f1)"

step "boot and run scenarios in QEMU"
qemu_ok=1
qemu_run "$WORK/dom0-initrd.img" "$LAB_LIMIT" || qemu_ok=0
[ "${LAB_SHELL:-0}" = 1 ] && exit 0
step "collect results"
parse_serial "$LAB_OUT/results.jsonl"
fatal=$(tr -d '\r' <"$LAB_OUT/serial.log" | grep -a '^@@LAB fatal' | head -n1)
why=${fatal#@@LAB fatal }
[ -n "$fatal" ] || why="QEMU stopped or the ${LAB_LIMIT}s run limit passed; see $LAB_OUT/serial.log"
[ $qemu_ok = 1 ] || [ -n "$fatal" ] || why="run did not finish within ${LAB_LIMIT}s or QEMU died"
rc=0
check_verdicts "$LAB_OUT/results.jsonl" "$why" || rc=1
[ -n "$fatal" ] && { info "dom0 reported: $why"; rc=1; }
[ $qemu_ok = 1 ] || { info "the run did not complete: $why"; rc=1; }

# Merge the runs of every kernel into out/results.jsonl.
cat "$LAB_OUT_TOP"/run-6.*/results.jsonl >"$LAB_OUT_TOP/results.jsonl" 2>/dev/null
echo
print_table "$LAB_OUT/results.jsonl"
print_compare "$LAB_OUT/results.jsonl"
print_failures "$LAB_OUT/results.jsonl"
echo
info "results: $LAB_OUT/results.jsonl (all kernels: $LAB_OUT_TOP/results.jsonl); logs: $LAB_OUT"
if [ $rc = 0 ]; then info "lab run $LAB_RUN: all scenarios passed"; else info "lab run $LAB_RUN: FAILED"; fi
exit $rc
