# shellcheck shell=bash
# Fetch Debian packages (apt-get download only) into the cache and unpack
# the pieces the lab boots: the Xen ELF image and guest/dom0 kernels.

# pkg_version PKG: candidate version from the host's apt lists.
pkg_version() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		die "Debian package '$1' not found in the apt lists (run 'apt-get update'; is $LAB_SUITE-security configured?)"
	printf '%s\n' "$v"
}

# resolve_meta META PREFIX: the versioned package a metapackage depends on.
resolve_meta() {
	local p
	p=$(apt-cache depends --no-recommends --no-suggests "$1" 2>/dev/null |
		awk -v pre="$2" '/Depends:/ && index($2, pre) == 1 {print $2; exit}')
	[ -n "$p" ] || die "cannot resolve metapackage '$1' to a '$2*' package"
	printf '%s\n' "$p"
}

# fetch_deb PKG: print the path of PKG's .deb in the cache, downloading it once.
fetch_deb() {
	local pkg=$1 ver deb dir="$LAB_CACHE/debs"
	ver=$(pkg_version "$pkg") || exit 1
	deb="$dir/${pkg}_${ver//:/%3a}_amd64.deb"
	if [ ! -s "$deb" ]; then
		mkdir -p "$dir"
		info "downloading $pkg=$ver"
		(cd "$dir" && apt-get download -q "$pkg=$ver" >"$dir/.download-$pkg.log" 2>&1) ||
			die "apt-get download $pkg=$ver failed (log: $dir/.download-$pkg.log)"
		# apt names the file with the package's own arch (all or amd64).
		local got
		got=$(ls "$dir/${pkg}_${ver//:/%3a}"_*.deb 2>/dev/null | head -n1)
		[ -n "$got" ] || die "apt-get download $pkg left no .deb in $dir"
		[ "$got" = "$deb" ] || mv "$got" "$deb"
	fi
	printf '%s\n' "$deb"
}

# prepare_xen: sets XEN_ELF (uncompressed, QEMU's multiboot loader needs ELF32).
prepare_xen() {
	local deb ver dir
	ver=$(pkg_version xen-hypervisor-4.17-amd64) || exit 1
	dir="$LAB_CACHE/xen-$ver"
	XEN_ELF="$dir/xen.elf"
	XEN_VERSION=$ver
	[ -s "$XEN_ELF" ] && return 0
	deb=$(fetch_deb xen-hypervisor-4.17-amd64) || exit 1
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	dpkg-deb -x "$deb" "$dir.tmp/x" || die "dpkg-deb -x $deb failed"
	local gz
	gz=$(ls "$dir.tmp"/x/boot/xen-4.17*-amd64.gz 2>/dev/null | head -n1)
	[ -n "$gz" ] || die "no /boot/xen-4.17*-amd64.gz in $deb"
	zcat "$gz" >"$dir.tmp/xen.elf" || die "cannot decompress $gz"
	rm -rf "$dir.tmp/x" "$dir"
	mv "$dir.tmp" "$dir"
}

# extract_vmlinux BZIMAGE OUT: pull the ELF out of a bzImage (like the
# kernel's scripts/extract-vmlinux), so xl create skips decompression.
extract_vmlinux() {
	local img=$1 out=$2 magic tool off
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${magic%%:*}
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | "$tool" -dc >"$out" 2>/dev/null
			if [ "$(head -c4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# prepare_kernel SERIES ROLE: fetch and unpack a kernel; sets <ROLE>_KV,
# <ROLE>_KROOT (unpacked package with modules.dep), <ROLE>_VMLINUX, <ROLE>_KVER.
prepare_kernel() {
	local series=$1 role=$2 meta pkg ver dir kv deb
	case $series in
	6.1) meta=linux-image-amd64 ;;
	6.12) meta=linux-image-6.12-amd64 ;;
	*) die "unknown kernel series '$series' (use LAB_KERNEL=6.1 or LAB_KERNEL=6.12)" ;;
	esac
	pkg=$(resolve_meta "$meta" linux-image-) || exit 1
	ver=$(pkg_version "$pkg") || exit 1
	kv=${pkg#linux-image-}
	dir="$LAB_CACHE/kernel/${pkg}_$ver"
	if [ ! -s "$dir/vmlinux" ]; then
		deb=$(fetch_deb "$pkg") || exit 1
		info "unpacking $pkg=$ver"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		dpkg-deb -x "$deb" "$dir.tmp/root" || die "dpkg-deb -x $deb failed"
		[ -d "$dir.tmp/root/lib/modules/$kv" ] || die "$pkg has no /lib/modules/$kv"
		depmod -b "$dir.tmp/root" "$kv" || die "depmod for $kv failed"
		extract_vmlinux "$dir.tmp/root/boot/vmlinuz-$kv" "$dir.tmp/vmlinux" ||
			die "cannot extract an ELF vmlinux from vmlinuz-$kv"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	printf -v "${role}_KV" '%s' "$kv"
	printf -v "${role}_KVER" '%s' "$ver"
	printf -v "${role}_KPKG" '%s' "$pkg"
	printf -v "${role}_KROOT" '%s' "$dir/root"
	printf -v "${role}_VMLINUX" '%s' "$dir/vmlinux"
}
