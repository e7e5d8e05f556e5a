# shellcheck shell=bash
# dom0: active grant entries of one domain, as Xen's 'g' debug key lists
# them ("grant-table for remote dN", then one "[0xREF]" line per entry that
# some domain has mapped). Usage: grant_active DOMID
grant_active() {
	xl dmesg -c >/dev/null
	xl debug-keys g
	# The dump is printed synchronously; give the console ring a moment.
	sleep 1
	xl dmesg | awk -v d="d$1" '
		/grant-table for remote/ { cur = $5; next }
		/\[0x[0-9a-f]+\]/ { if (cur == d) n++ }
		END { print n + 0 }'
}
