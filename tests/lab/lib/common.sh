# shellcheck shell=bash
# Shared helpers for the host side of the lab: logging, step names, cache paths.

LAB_DIR=${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
REPO_DIR=${REPO_DIR:-$(cd "$LAB_DIR/../.." && pwd)}
LAB_CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tsmc-xen/lab}
LAB_OUT=${LAB_OUT:-$LAB_DIR/out}
LAB_SUITE=${LAB_SUITE:-bookworm}
LAB_STEP=init

# step NAME: name the current step so every failure message says where it was.
step() {
	LAB_STEP=$1
	printf '[lab %s] == %s\n' "$(date +%H:%M:%S)" "$1" >&2
}

info() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

die() {
	printf '[lab] ERROR in step "%s": %s\n' "$LAB_STEP" "$*" >&2
	[ -d "$LAB_OUT" ] && printf '[lab] logs kept in %s\n' "$LAB_OUT" >&2
	exit 1
}

need_cmd() {
	local c pkg
	for c in "$@"; do
		pkg=${c#*:}
		c=${c%%:*}
		command -v "$c" >/dev/null 2>&1 ||
			die "command '$c' not found: install Debian package '$pkg' (see tests/deps/lab.txt)"
	done
}

# key_of STRINGS...: short stable hash used to name cache entries.
key_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# Run a command with its output in a log file; on failure show the log tail.
logged() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "command failed: $* (full log: $log)"
	fi
}
