# shellcheck shell=bash
# Assemble the guest initramfs and the dom0 overlay for one run.

# copy_with_libs ROOT DEST FILE...: copy executables from chroot ROOT into
# DEST at the same path, plus the shared libraries ldd reports for them.
copy_with_libs() {
	local root=$1 dest=$2 f lib
	shift 2
	for f in "$@"; do
		[ -e "$root$f" ] || die "missing $f in $root"
		mkdir -p "$dest$(dirname "$f")"
		cp -L "$root$f" "$dest$f"
		for lib in $(chroot "$root" /usr/bin/ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			# Merged /usr: /lib and /lib64 are symlinks in DEST.
			case $lib in /lib/* | /lib64/*) local to=$dest/usr$lib ;; *) local to=$dest$lib ;; esac
			[ -e "$to" ] && continue
			mkdir -p "$(dirname "$to")"
			cp -L "$root$lib" "$to"
		done
	done
}

# merged_usr_skeleton DEST: the /bin /lib ... -> usr/ links of a Debian root.
merged_usr_skeleton() {
	mkdir -p "$1"/usr/{bin,sbin,lib,lib64} "$1"/{proc,sys,dev,tmp,run,etc}
	ln -sfn usr/bin "$1/bin"
	ln -sfn usr/sbin "$1/sbin"
	ln -sfn usr/lib "$1/lib"
	ln -sfn usr/lib64 "$1/lib64"
}

# add_modules KROOT KV DEST LIST MODULE...: copy modules and their
# dependencies (decompressed, so busybox insmod can load them); append the
# load order to DEST/LIST.
add_modules() {
	local kroot=$1 kv=$2 dest=$3 list=$4 line ko name
	shift 4
	mkdir -p "$dest/usr/lib/modules/$kv"
	for m in "$@"; do
		modprobe -d "$kroot" -S "$kv" --show-depends "$m" >"$LAB_OUT/.modprobe" 2>&1 ||
			die "kernel $kv has no module '$m': $(cat "$LAB_OUT/.modprobe")"
		while read -r line; do
			case $line in insmod\ *) ;; *) continue ;; esac
			ko=$(echo "$line" | awk '{print $2}')
			name=$(basename "$ko")
			name=${name%.xz}
			name=${name%.zst}
			grep -qxF "/usr/lib/modules/$kv/$name" "$dest/$list" 2>/dev/null && continue
			case $ko in
			*.xz) xz -dc "$ko" >"$dest/usr/lib/modules/$kv/$name" ;;
			*.zst) zstd -qdc "$ko" >"$dest/usr/lib/modules/$kv/$name" ;;
			*) cp "$ko" "$dest/usr/lib/modules/$kv/$name" ;;
			esac
			echo "/usr/lib/modules/$kv/$name" >>"$dest/$list"
		done <"$LAB_OUT/.modprobe"
	done
}

# pack_cpio DIR: newc cpio of DIR on stdout.
pack_cpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0); }

GUEST_MODULES="xen-netfront xen-evtchn xen-gntdev xen-gntalloc"
DOM0_MODULES="xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-netback xen-blkback bridge"

# build_guest_initrd OUTFILE: busybox userland + tools + scenarios for domUs.
build_guest_initrd() {
	local g=$WORK/guestroot
	rm -rf "$g"
	merged_usr_skeleton "$g"
	copy_with_libs "$DOM0_ROOT" "$g" /usr/bin/busybox /usr/bin/iperf3 /usr/bin/xenstore \
		/usr/bin/redis-server /usr/bin/redis-cli /usr/bin/redis-benchmark
	local a
	for a in $("$DOM0_ROOT/usr/bin/busybox" --list 2>/dev/null || chroot "$DOM0_ROOT" busybox --list); do
		[ -e "$g/usr/bin/$a" ] || ln -s busybox "$g/usr/bin/$a"
	done
	for a in read write exists list ls rm chmod watch; do ln -sf xenstore "$g/usr/bin/xenstore-$a"; done
	# Tools and scenario binaries built in the chroot, with their libraries.
	local f rel
	while read -r f; do
		rel=${f#"$BUILD_ROOT"}
		copy_with_libs "$BUILD_ROOT" "$g" "$rel"
	done < <(find "$LAB_BUILD_OUT" -type f -perm -u+x ! -name '*.ko' 2>/dev/null)
	mkdir -p "$g/lab/bin" "$g/lab/mod"
	[ -d "$LAB_BUILD_OUT/tools" ] && cp "$LAB_BUILD_OUT"/tools/* "$g/lab/bin/"
	[ -d "$LAB_BUILD_OUT/bpf" ] && cp "$LAB_BUILD_OUT"/bpf/* "$g/lab/bin/"
	cp "$LAB_BUILD_OUT"/mod/*.ko "$LAB_BUILD_OUT"/mod/*.txt "$g/lab/mod/" 2>/dev/null || true
	add_modules "$GUEST_KROOT" "$GUEST_KV" "$g" lab/modules.list $GUEST_MODULES
	copy_scenarios "$g"
	cp "$LAB_DIR/guest/init" "$g/init"
	pack_cpio "$g" | gzip -1 >"$1" || die "packing guest initramfs failed"
}

# copy_scenarios DEST: scenario dirs, their built outputs and the helper lib.
copy_scenarios() {
	local s
	mkdir -p "$1/lab/scenarios"
	cp "$LAB_DIR/share/lab-lib.sh" "$LAB_DIR/share/tsmc-lib.sh" "$LAB_DIR/share/grant-count.sh" \
		"$LAB_DIR/share/dom0-pair.sh" "$LAB_DIR/share/dmesg-check.sh" "$1/lab/"
	for s in $LAB_SCENARIOS; do
		cp -r "$LAB_DIR/scenarios/$s" "$1/lab/scenarios/$s"
		rm -rf "$1/lab/scenarios/$s/build"
		[ -d "$LAB_BUILD_OUT/scenarios/$s" ] &&
			cp -r "$LAB_BUILD_OUT/scenarios/$s" "$1/lab/scenarios/$s/out"
	done
	return 0
}

# build_dom0_initrd OUTFILE: cached rootfs cpio + this run's overlay.
build_dom0_initrd() {
	local o=$WORK/dom0overlay
	rm -rf "$o"
	mkdir -p "$o/lab/guest" "$o/usr" "$o"/{proc,sys,dev,run,tmp}
	ln -s usr/lib "$o/lib"
	: >"$o/lab/dom0-modules.list"
	add_modules "$DOM0_KROOT" "$DOM0_KV" "$o" lab/dom0-modules.list $DOM0_MODULES
	cp "$DOM0_KROOT/lib/modules/$DOM0_KV"/modules.{order,builtin}* "$o/usr/lib/modules/$DOM0_KV/" 2>/dev/null
	depmod -b "$o" "$DOM0_KV" || die "depmod for the dom0 overlay failed"
	cp "$GUEST_VMLINUX" "$o/lab/guest/vmlinux"
	cp "$WORK/guest-initrd.gz" "$o/lab/guest/initrd.gz"
	cp "$LAB_DIR/dom0/init" "$o/init"
	cp "$LAB_DIR/dom0/run-scenarios" "$LAB_DIR/dom0/collect-logs" "$o/lab/"
	copy_scenarios "$o"
	if [ -d "$LAB_BUILD_OUT/dom0-tools" ]; then
		mkdir -p "$o/lab/dom0-tools"
		cp -r "$LAB_BUILD_OUT/dom0-tools/." "$o/lab/dom0-tools/"
	fi
	cat >"$o/lab/run.conf" <<CONF
LAB_KERNEL="$LAB_KERNEL"
LAB_SCENARIOS="$LAB_SCENARIOS"
LAB_GUESTS="$LAB_GUESTS"
LAB_GUEST_TYPE="$LAB_GUEST"
LAB_GUEST_MEM=$LAB_GUEST_MEM
LAB_BOOT_TIMEOUT=$LAB_BOOT_TIMEOUT
LAB_SHELL=${LAB_SHELL:-0}
LAB_NETBACK_MAX_QUEUES=${LAB_NETBACK_MAX_QUEUES:-}
CONF
	: >"$o/lab/env.sh"
	# The kernel unpacks concatenated (separately compressed) cpio archives.
	{ cat "$DOM0_CPIO"; pack_cpio "$o" | zstd -q -T2 -1; } >"$1" || die "packing dom0 initramfs failed"
}
