# Runs in the lab's build chroot: ship the schema checker to dom0.
set -e
cp "$SRC/xenstore-schema/check_dump.py" "$SRC/xenstore-schema/xsschema.py" \
	"$SRC/xenstore-schema/schema.json" "$OUT/"
