#!/bin/sh
# Print the path of a checkpatch.pl matching Debian's 6.1 kernel, fetching it
# once from the linux-source-6.1 package (the headers package lacks it).
set -eu
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tsmc-xen/checkpatch
ver=$(apt-cache policy linux-source-6.1 | awk '/Candidate:/ {print $2}')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || {
	echo "get-checkpatch: linux-source-6.1 not in apt lists (run apt-get update)" >&2
	exit 1
}
dir=$cache/$ver
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "linux-source-6.1=$ver" >&2)
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
		tar -x -C "$tmp" --wildcards './usr/src/linux-source-6.1.tar.xz'
	mkdir -p "$dir"
	tar -xJf "$tmp/usr/src/linux-source-6.1.tar.xz" -C "$dir" \
		--strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
echo "$dir/scripts/checkpatch.pl"
