#!/usr/bin/env bash
# t0020-blockdev: set drives on real block devices (loop devices): direct
# I/O, BLKGETSIZE64/BLKSSZGET, LABEL= and UUID= names resolved by libblkid,
# a 4096-byte-sector drive.  Skipped (exit 77) where loop devices cannot be
# made (not root, no loop driver).
set -u
B=${OBAN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/oban-t0020.XXXXXX)
loops=()
cleanup() {
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
export OBAN_ETCDIR=$T/etc OBAN_STATEDIR=$T/state OBAN_RUNDIR=$T/run
export OBAN_NODENAME=node1
mkdir -p "$T/etc" "$T/run" "$T/img"
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
no() { echo "not ok - $1"; fail=$((fail + 1)); }
check() {
	local name=$1 want=$2 rc
	shift 2
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else
		no "$name (rc $rc, want $want)"; cat "$T/out" "$T/err"; fi
}
has() {
	if grep -qE -- "$2" "$3"; then ok "$1"; else
		no "$1: no '$2' in"; cat "$3"; fi
}
# mkloop VAR FILE [SECTOR]: attach FILE, remember the device for cleanup.
mkloop() {
	local l
	l=$(losetup -f --show ${3:+--sector-size "$3"} "$2" 2>/dev/null) || return 1
	loops+=("$l")
	printf -v "$1" '%s' "$l"
}
for i in 0 1 2; do truncate -s 64M "$T/img/d$i"; done
mkloop L0 "$T/img/d0" || { echo "loop devices unavailable: skipped"; exit 77; }
mkloop L1 "$T/img/d1" || exit 77
mkfs.ext4 -q -F -L obanlbl "$T/img/d2" >/dev/null 2>&1
mkloop L2 "$T/img/d2" || exit 77
# Only our loop devices are scanned.
printf 'drive_glob %s\ndrive_glob %s\ndrive_glob %s\n' "$L0" "$L1" "$L2" > "$T/etc/runtime.cf"
MS=$B/cmds/metaset MD=$B/cmds/metadb DUMP=$B/cmds/metadump

check "create" 0 "$MS" -s blue -M -a -h node1
check "add two loop devices" 0 "$MS" -s blue -a "$L0" "$L1"
check "metadb" 0 "$MD" -s blue
[ "$(grep -c 'a.lu' "$T/out")" -eq 2 ] && ok "two active replicas" || no "two active replicas"
check "LABEL= of an ext4 device is refused" 1 "$MS" -s blue -a LABEL=obanlbl
has "ext4 message" "ext4 file system" "$T/err"
check "LABEL= forced" 0 "$MS" -s blue -a -f LABEL=obanlbl
check "metadump of the device" 0 "$DUMP" "$L2"
has "label of forced drive" "drive 'LABEL=obanlbl'" "$T/out"
uuid=$(grep -oE "drive 'LABEL=obanlbl' uuid [0-9a-f-]+" "$T/out" | awk '{print $4}')
check "metadb -d by UUID=" 0 "$MD" -s blue -d "UUID=$uuid"
check "metadb after" 0 "$MD" -s blue
[ "$(grep -c 'a.lu' "$T/out")" -eq 2 ] && ok "replica on UUID= drive deleted" || no "replica on UUID= drive deleted"
check "metadb -a by UUID=" 0 "$MD" -s blue -a "UUID=$uuid"

# The loop devices come back under other names: found by their labels.
for l in "${loops[@]}"; do losetup -d "$l"; done
loops=()
truncate -s 8M "$T/img/pad"
mkloop P "$T/img/pad" || exit 77   # shift the numbering
mkloop N2 "$T/img/d2" && mkloop N0 "$T/img/d0" && mkloop N1 "$T/img/d1" || exit 77
echo "# d0: $L0 -> $N0, d1: $L1 -> $N1, d2: $L2 -> $N2"
printf 'drive_glob %s\ndrive_glob %s\ndrive_glob %s\ndrive_glob %s\n' "$P" "$N0" "$N1" "$N2" > "$T/etc/runtime.cf"
check "metadb after renumbering" 0 "$MD" -s blue
[ "$(grep -c 'a.lu' "$T/out")" -eq 3 ] && ok "three replicas found by UUID" || { no "three replicas found by UUID"; cat "$T/out"; }

# A 4 KiB-sector drive: the set's block size is 512, so it cannot join.
truncate -s 64M "$T/img/d4k"
if mkloop L4 "$T/img/d4k" 4096; then
	echo "drive_glob $L4" >> "$T/etc/runtime.cf"
	check "4Kn drive in a 512-byte set is refused" 1 "$MS" -s blue -a "$L4"
	check "4Kn set" 0 "$MS" -s k4 -M -a -h node1
	check "4Kn drive in its own set" 0 "$MS" -s k4 -a "$L4"
	check "4Kn metadump" 0 "$DUMP" -q "$L4"
	has "4Kn sector" "sector 4096" "$T/out"
	has "4Kn block size" "block size 4096" "$T/out"
	check "4Kn metadb" 0 "$MD" -s k4
	has "4Kn replica active" "amlu" "$T/out"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
