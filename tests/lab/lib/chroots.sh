# shellcheck shell=bash
# Build (once, cached by package versions) the dom0 root filesystem and the
# per-kernel build chroot with mmdebstrap.

DOM0_PKGS="xen-utils-4.17 xenstore-utils iproute2 bridge-utils iperf3 busybox kmod procps iputils-ping redis-server redis-tools"
# libbpf-dev: the tsmc-bpf loader; dwarves (pahole): module BTF on 6.12,
# which the kfunc doorbell needs; libssl-dev: libcrypto for tcp_stream_sha.
BUILD_PKGS="gcc make libc6-dev libxen-dev kmod libbpf-dev dwarves libssl-dev"
# Bump when the way the roots are made changes (the cache key includes it).
CHROOT_RECIPE=1
# Docs, man pages and locales only make the initramfs bigger.
MMDEB_SLIM=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*')

# mmdebstrap (root mode) and chroot need root.
need_root() { [ "$(id -u)" = 0 ] || die "the lab must run as root (mmdebstrap root mode, chroot builds)"; }

versions_of() {
	local p
	for p in "$@"; do printf '%s=%s ' "$p" "$(pkg_version "$p")" || exit 1; done
}

# prepare_dom0_root: sets DOM0_ROOT (directory) and DOM0_CPIO (zstd cpio).
prepare_dom0_root() {
	local key
	need_root
	key=$(key_of "$(versions_of $DOM0_PKGS)" "$CHROOT_RECIPE") || exit 1
	DOM0_ROOT="$LAB_CACHE/dom0root-$key"
	DOM0_CPIO="$DOM0_ROOT.cpio.zst"
	[ -s "$DOM0_CPIO" ] && [ -d "$DOM0_ROOT" ] && return 0
	info "mmdebstrap dom0 root filesystem (cold cache, ~1-2 min)"
	rm -rf "$DOM0_ROOT" "$DOM0_CPIO"
	logged "$LAB_OUT/mmdebstrap-dom0.log" mmdebstrap --variant=minbase "${MMDEB_SLIM[@]}" \
		--include="${DOM0_PKGS// /,}" "$LAB_SUITE" "$DOM0_ROOT.tmp"
	rm -rf "$DOM0_ROOT.tmp"/var/cache/apt/* "$DOM0_ROOT.tmp"/var/lib/apt/lists/*
	(cd "$DOM0_ROOT.tmp" && find . -path ./proc -prune -o -print | cpio -o -H newc --quiet) |
		zstd -q -T2 -3 >"$DOM0_CPIO.tmp" || die "packing dom0 cpio failed"
	mv "$DOM0_ROOT.tmp" "$DOM0_ROOT"
	mv "$DOM0_CPIO.tmp" "$DOM0_CPIO"
}

# prepare_build_root KV: sets BUILD_ROOT, a chroot with exactly linux-headers-KV.
prepare_build_root() {
	local kv=$1 key
	need_root
	key=$(key_of "$(versions_of $BUILD_PKGS "linux-headers-$kv")" "$CHROOT_RECIPE") || exit 1
	BUILD_ROOT="$LAB_CACHE/buildroot-$kv-$key"
	[ -f "$BUILD_ROOT/usr/src/linux-headers-$kv/Makefile" ] && return 0
	info "mmdebstrap build chroot for $kv (cold cache, ~1-2 min)"
	rm -rf "$BUILD_ROOT" "$BUILD_ROOT.tmp"
	logged "$LAB_OUT/mmdebstrap-build-$kv.log" mmdebstrap --variant=minbase "${MMDEB_SLIM[@]}" \
		--include="${BUILD_PKGS// /,},linux-headers-$kv" "$LAB_SUITE" "$BUILD_ROOT.tmp"
	[ -f "$BUILD_ROOT.tmp/usr/src/linux-headers-$kv/Makefile" ] ||
		die "build chroot has no /lib/modules/$kv/build (linux-headers-$kv missing?)"
	rm -rf "$BUILD_ROOT.tmp"/var/cache/apt/*
	mv "$BUILD_ROOT.tmp" "$BUILD_ROOT"
}
