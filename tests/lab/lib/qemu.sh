# shellcheck shell=bash
# Start QEMU (Xen + dom0) by pid, follow the serial log, and always stop it.

QEMU_PID=

qemu_stop() {
	[ -n "$QEMU_PID" ] || return 0
	[ -n "${QEMU_HWM_KIB:-}" ] && info "QEMU peak RSS $((QEMU_HWM_KIB / 1024)) MiB" &&
		echo "$((QEMU_HWM_KIB / 1024))" >"$LAB_OUT/qemu-peak-rss-mib"
	if kill -0 "$QEMU_PID" 2>/dev/null; then
		info "stopping QEMU (pid $QEMU_PID)"
		kill -TERM "$QEMU_PID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$QEMU_PID" 2>/dev/null
	fi
	wait "$QEMU_PID" 2>/dev/null
	QEMU_PID=
}

# qemu_run DOM0_INITRD LIMIT_S: boot; return when dom0 printed "@@LAB end",
# QEMU exited, or LIMIT_S passed (then 1, naming the last step seen).
qemu_run() {
	local initrd=$1 limit=$2 serial=$LAB_OUT/serial.log cpu=${LAB_QEMU_CPU:-qemu64} seen=0
	local xen_args="console=com1 com1=115200,8n1 dom0_mem=${LAB_DOM0_MEM}M,max:${LAB_DOM0_MEM}M dom0_max_vcpus=2 noreboot conring_size=1M"
	local dom0_args="console=hvc0 loglevel=3 rdinit=/init"
	# PVH guests need HVM: SVM (+NPT for HAP) under TCG. -cpu max crashes the
	# PV dom0 early here (see README), so add just these flags to qemu64.
	[ "$LAB_GUEST" = pvh ] && cpu=${LAB_QEMU_CPU:-qemu64,+svm,+npt}
	: >"$serial"
	if [ "${LAB_SHELL:-0}" = 1 ]; then
		# Interactive: console on this terminal; Ctrl-a x quits QEMU.
		qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu "$cpu" -smp 2 -m "$LAB_QEMU_MEM" \
			-display none -nodefaults -no-reboot -serial mon:stdio \
			-kernel "$XEN_ELF" -append "$xen_args" \
			-initrd "${LAB_DOM0_VMLINUZ//,/,,} ${dom0_args//,/,,},${initrd//,/,,}"
		return 0
	fi
	# -initrd takes comma-separated multiboot modules: double commas inside.
	qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu "$cpu" -smp 2 -m "$LAB_QEMU_MEM" \
		-display none -nodefaults -no-reboot -monitor none -serial "file:$serial" \
		-kernel "$XEN_ELF" -append "$xen_args" \
		-initrd "${LAB_DOM0_VMLINUZ//,/,,} ${dom0_args//,/,,},${initrd//,/,,}" \
		>"$LAB_OUT/qemu.log" 2>&1 &
	QEMU_PID=$!
	info "QEMU pid $QEMU_PID, serial log $serial, limit ${limit}s"
	local start=$SECONDS last_mark=""
	while :; do
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then
			wait "$QEMU_PID" 2>/dev/null
			QEMU_PID=
			[ -n "${QEMU_HWM_KIB:-}" ] && info "QEMU peak RSS $((QEMU_HWM_KIB / 1024)) MiB" &&
				echo "$((QEMU_HWM_KIB / 1024))" >"$LAB_OUT/qemu-peak-rss-mib"
			grep -q '^@@LAB end' "$serial" && return 0
			sed -n '1,20p' "$LAB_OUT/qemu.log" >&2
			return 1
		fi
		# Peak resident memory (budget: <= 6 GB), reported when QEMU stops.
		QEMU_HWM_KIB=$(awk '/^VmHWM:/ {print $2}' "/proc/$QEMU_PID/status" 2>/dev/null || echo "${QEMU_HWM_KIB:-0}")
		# Echo progress marks as they appear.
		local n
		n=$(grep -c '^@@LAB ' "$serial" 2>/dev/null)
		if [ "${n:-0}" -gt "$seen" ]; then
			grep '^@@LAB ' "$serial" | sed -n "$((seen + 1)),${n}p" | tr -d '\r' | sed "s/^/[lab $(date +%H:%M:%S)] /" >&2
			last_mark=$(grep '^@@LAB ' "$serial" | tail -n1 | tr -d '\r')
			seen=$n
		fi
		if grep -q '^@@LAB end' "$serial"; then
			# dom0 powers off right after "end"; give it a moment, then stop.
			for _ in $(seq 6); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.5; done
			qemu_stop
			return 0
		fi
		# Xen halts (noreboot) rather than exiting QEMU when dom0 dies: stop now.
		if grep -aqE '^\(XEN\) (Hardware Dom0 crashed|Panic on CPU)|Kernel panic - not syncing' "$serial"; then
			info "dom0 or Xen crashed during boot or run: $(grep -aE 'Hardware Dom0 crashed|Panic on CPU|Kernel panic' "$serial" | head -n1 | tr -d '\r')"
			qemu_stop
			return 1
		fi
		if [ $((SECONDS - start)) -ge "$limit" ]; then
			info "run limit ${limit}s reached; last mark: ${last_mark:-none (dom0 never reported)}"
			qemu_stop
			return 1
		fi
		sleep 1
	done
}
