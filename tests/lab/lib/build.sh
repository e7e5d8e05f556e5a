# shellcheck shell=bash
# Build the project's guest-side pieces inside the build chroot (the exact
# headers of the guest kernel): tests/tools, xen-guest-mod, dom0-tools and
# each scenario's build.sh. Outputs land in $BUILD_ROOT/lab-out-$LAB_RUN.

chroot_sh() { chroot "$BUILD_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

# Per-run directories in the chroot: several lab runs (other engineers, other
# LAB_RUN names) may share one build chroot at the same time.
build_in_chroot() {
	local log=$LAB_OUT/build.log s
	SRC_IN=/lab-src-$LAB_RUN
	OUT_IN=/lab-out-$LAB_RUN
	LAB_BUILD_OUT=$BUILD_ROOT$OUT_IN
	rm -rf "$BUILD_ROOT$SRC_IN" "$LAB_BUILD_OUT"
	mkdir -p "$BUILD_ROOT$SRC_IN" "$LAB_BUILD_OUT/mod" "$LAB_BUILD_OUT/scenarios"
	# A private copy of the tree: never touch other engineers' build/ dirs.
	tar -C "$REPO_DIR" --exclude=./.git --exclude='./*/build' --exclude='./tests/*/build' \
		--exclude=./tests/lab/out -cf - . | tar -C "$BUILD_ROOT$SRC_IN" -xf - ||
		die "copying the source tree into the build chroot failed"
	: >"$log"

	info "building tests/tools"
	chroot_sh make -C $SRC_IN/tests/tools all BUILD=$OUT_IN/tools >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "tests/tools failed to build in the chroot (log: $log)"; }
	info "building tsmc-ss"
	chroot_sh make -C $SRC_IN/xen-guest-mod/tsmc-ss all BUILD=$OUT_IN/tsmc-ss >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "tsmc-ss failed to build in the chroot (log: $log)"; }
	cp "$LAB_BUILD_OUT/tsmc-ss/tsmc-ss" "$LAB_BUILD_OUT/tools/"

	# The module and dom0-tools are other issues' work in progress: a broken
	# build only fails the scenarios that need them (they find no file).
	if [ -f "$REPO_DIR/xen-guest-mod/Kbuild" ] || [ -f "$REPO_DIR/xen-guest-mod/Makefile" ]; then
		info "building xen-guest-mod against $GUEST_KV (W=1)"
		rm -f "$LAB_BUILD_OUT/mod/"*
		# W=1 warnings against the guest's own headers fail module-smoke.
		if chroot_sh make -C "/lib/modules/$GUEST_KV/build" M=$SRC_IN/xen-guest-mod W=1 modules \
			>"$LAB_OUT/module-build.log" 2>&1; then
			find "$BUILD_ROOT$SRC_IN/xen-guest-mod" -name '*.ko' -exec cp {} "$LAB_BUILD_OUT/mod/" \;
			grep -E 'xen-guest-mod/.*warning:' "$LAB_OUT/module-build.log" >"$LAB_BUILD_OUT/mod/W1-warnings.txt" ||
				rm -f "$LAB_BUILD_OUT/mod/W1-warnings.txt"
			cat "$LAB_OUT/module-build.log" >>"$log"
		else
			cat "$LAB_OUT/module-build.log" >>"$log"
			warn_build "xen-guest-mod"
		fi
	fi
	if [ -f "$REPO_DIR/dom0-tools/Makefile" ]; then
		info "building dom0-tools"
		if chroot_sh make -C $SRC_IN/dom0-tools all >>"$log" 2>&1; then
			mkdir -p "$LAB_BUILD_OUT/dom0-tools"
			find "$BUILD_ROOT$SRC_IN/dom0-tools" -type f -perm -u+x ! -name '*.sh' -path '*/build/*' \
				-exec cp {} "$LAB_BUILD_OUT/dom0-tools/" \;
		else
			warn_build "dom0-tools"
		fi
	fi
	build_bpf_loader "$log"
	for s in $LAB_SCENARIOS; do
		[ -f "$LAB_DIR/scenarios/$s/build.sh" ] || continue
		info "building scenario $s"
		mkdir -p "$LAB_BUILD_OUT/scenarios/$s"
		chroot_sh sh -c "cd $SRC_IN/tests/lab/scenarios/$s && OUT=$OUT_IN/scenarios/$s KV=$GUEST_KV \
			KDIR=/lib/modules/$GUEST_KV/build SRC=$SRC_IN sh ./build.sh" >>"$log" 2>&1 ||
			{ tail -n 20 "$log" >&2; die "scenario $s: build.sh failed in the chroot (log: $log)"; }
	done
}

warn_build() {
	info "WARNING: $1 did not build in the chroot; scenarios needing it will fail (log: $LAB_OUT/build.log)"
	echo "$1" >>"$LAB_OUT/build-failures"
}

# build_bpf_loader LOG: skeletons on the host (clang, bpftool), the loader in
# the chroot (the guests' libbpf and libxenstore); out: $LAB_BUILD_OUT/bpf.
build_bpf_loader() {
	local log=$1
	[ -f "$REPO_DIR/bpf/Makefile" ] || return 0
	info "building bpf/ (skeletons on the host, tsmc-bpf in the chroot)"
	if make -C "$REPO_DIR/bpf" skels >>"$log" 2>&1 &&
		mkdir -p "$BUILD_ROOT$SRC_IN/bpf/build" &&
		cp "$REPO_DIR"/bpf/build/*.skel.h "$BUILD_ROOT$SRC_IN/bpf/build/" &&
		chroot_sh make -C $SRC_IN/bpf loader >>"$log" 2>&1; then
		mkdir -p "$LAB_BUILD_OUT/bpf"
		cp "$BUILD_ROOT$SRC_IN/bpf/build/tsmc-bpf" "$LAB_BUILD_OUT/bpf/"
	else
		warn_build "bpf"
	fi
}
