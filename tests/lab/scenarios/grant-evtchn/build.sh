# Runs in the lab's build chroot (libxen-dev); $OUT lands in every guest.
set -e
gcc -std=c11 -Wall -Wextra -Werror -O2 -g -o "$OUT/gnt_evtchn_pingpong" gnt_evtchn_pingpong.c \
	-lxengnttab -lxenevtchn
