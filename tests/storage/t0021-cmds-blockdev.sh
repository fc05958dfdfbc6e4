#!/usr/bin/env bash
# t0021-cmds-blockdev: the configuration commands' newer forms on real block
# devices (loop devices, direct I/O): metastat -i probes every drive in use
# and names the one that has gone from this node; metarename -x exchanges a
# mirror and its submirror; a soft partition with -A keeps its alignment
# through growth and md.tab.  Skipped (exit 77) where loop devices cannot
# be made (not root, no loop driver).
. "$(dirname "$0")/lib.sh" t0021
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || { echo "# SKIP: test hooks are not built in"; exit 77; }
export OBAN_MN_LOCAL=1
loops=()
cleanup() {
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/img"
mkloop() {
	local l
	l=$(losetup -f --show "$2" 2>/dev/null) || return 1
	loops+=("$l")
	printf -v "$1" '%s' "$l"
}
for i in 0 1 2; do truncate -s 64M "$T/img/d$i"; done
mkloop L0 "$T/img/d0" || { echo "loop devices unavailable: skipped"; exit 77; }
mkloop L1 "$T/img/d1" || exit 77
mkloop L2 "$T/img/d2" || exit 77
printf 'drive_glob %s\ndrive_glob %s\ndrive_glob %s\n' "$L0" "$L1" "$L2" > "$T/etc/runtime.cf"
C=$B/cmds

check "create" 0 "$C/metaset" -s blue -M -a -h node1
check "add three loop devices" 0 "$C/metaset" -s blue -a "$L0" "$L1" "$L2"
# L2 keeps no replica, so that the set opens without it below.
check "its replica deleted" 0 "$C/metadb" -s blue -d "$L2"
check "stripe on L0" 0 "$C/metainit" -s blue d1 1 1 "$L0"
check "mirror of it" 0 "$C/metainit" -s blue d0 -m d1 -g
check "stripe on L2" 0 "$C/metainit" -s blue d2 1 1 "$L2"

# metarename -x both ways
check "exchange d0 and d1" 0 "$C/metarename" -s blue -x d0 d1
has "exchange output" "^blue/d0 and blue/d1 have exchanged identities$" "$T/out"
check "metastat -p" 0 "$C/metastat" -s blue -p d1
has "d1 is the mirror now" "^blue/d1 -m blue/d0 -g 1$" "$T/out"
check "exchange back" 0 "$C/metarename" -s blue -x d1 d0
check "unrelated units refused" 1 "$C/metarename" -s blue -x d0 d2
has "refusal" "cannot exchange names of blue/d0 and 'blue/d2': not a mirror and one of its submirrors" "$T/err"

# -A on a soft partition over the mirror: aligned, grown aligned
check "aligned soft partition" 0 "$C/metainit" -s blue d10 -p -A 64k d0 1000
check "an unaligned one" 0 "$C/metainit" -s blue d11 -p d0 10
# (the new extent starts congruent to its offset 1000: block 1256)
check "grown" 0 "$C/metattach" -s blue d10 100
check "metastat -p d10" 0 "$C/metastat" -s blue -p d10 d11
has "aligned extents" "^blue/d10 -p -A 128b blue/d0 -o 128 -b 1000 -o 1256 -b 100$" "$T/out"
has "unaligned one in the gap" "^blue/d11 -p blue/d0 -o 1 -b 10$" "$T/out"
"$C/metastat" -s blue -p > "$T/p1"
check "clear all" 0 "$C/metaclear" -s blue -a
check "md.tab back" 0 "$C/metainit" -s blue -a -f "$T/p1"
"$C/metastat" -s blue -p > "$T/p2"
cmp -s "$T/p1" "$T/p2" && ok "metastat -p | metainit -a: identical" || { no "round trip"; diff "$T/p1" "$T/p2"; }

# metastat -i: all there; then L2 goes away
check "metastat -i" 0 "$C/metastat" -s blue -i
losetup -d "$L2"
loops=("$L0" "$L1") # L2's number may be another's by the exit trap
check "metastat -i without L2" 1 "$C/metastat" -s blue -i
has "L2 named" "^metastat: component of blue/d2 '.*': no such drive$" "$T/err"
has "status printed all the same" "^blue/d0: Mirror" "$T/out"
check "metastat -i of the mirror only" 0 "$C/metastat" -s blue -i d0
st_done
