#!/usr/bin/env bash
# t0011-limits: the documented limits and refusals, through the commands on
# one node:
# 32 sets, and a 33rd refused with a clear error that changes nothing;
# volume names d0..d8191 and pools hsp000..hsp999, the next refused.
. "$(dirname "$0")/lib.sh" t0011
# Multi-owner sets on one node without mdcommd: commands run locally (a
# test-only hook; skip where it is not built in).
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || { echo "# SKIP: test hooks are not built in"; exit 77; }
export OBAN_MN_LOCAL=1
MS=$B/cmds/metaset MI=$B/cmds/metainit MST=$B/cmds/metastat

created=0
for i in $(seq 1 32); do
	"$MS" -s "s$i" -M -a -h node1 > /dev/null 2> "$T/err" && created=$((created + 1))
done
[ "$created" -eq 32 ] && ok "32 sets created" || { no "32 sets created ($created)"; cat "$T/err"; }
"$MS" > "$T/before" 2>&1
check "a 33rd set is refused" 1 "$MS" -s s33 -M -a -h node1
has "33rd set message names the set" "'s33'" "$T/err"
"$MS" > "$T/after" 2>&1
cmp -s "$T/before" "$T/after" && ok "the refusal changed nothing" || no "the refusal changed the sets"
check "the 33rd set does not exist" 1 "$MS" -s s33
check "deleting one set" 0 "$MS" -s s7 -d -h node1
check "makes room for another" 0 "$MS" -s s33 -M -a -h node1

truncate -s 64M "$T/d/disk0"
check "a drive for set s1" 0 "$MS" -s s1 -a "$T/d/disk0"
check "d8191 is a volume name" 0 "$MI" -s s1 -n d8191 1 1 "$T/d/disk0"
check "d8192 is refused" 1 "$MI" -s s1 d8192 1 1 "$T/d/disk0"
has "d8192 message names it" "d8192" "$T/err"
check "hsp999 is a pool name" 0 "$MI" -s s1 hsp999
check "hsp1000 is refused" 1 "$MI" -s s1 hsp1000
has "hsp1000 message names it" "hsp1000" "$T/err"
check "metastat still reads the set" 0 "$MST" -s s1 -p
has "only hsp999 was made" "^s1/hsp999" "$T/out"
if grep -q "d8192\|hsp1000" "$T/out"; then no "a refused name reached the set"; else ok "no refused name reached the set"; fi

# A drive that a metadevice or a spare uses cannot leave the set.
truncate -s 64M "$T/d/disk1" "$T/d/disk2"
check "two more drives" 0 "$MS" -s s1 -a "$T/d/disk1" "$T/d/disk2"
check "d10 on disk1" 0 "$MI" -s s1 d10 1 1 "$T/d/disk1"
check "disk2 a spare" 0 "$MI" -s s1 hsp001 "$T/d/disk2"
sum1=$(md5sum < "$T/d/disk1")
check "deleting disk1 under d10 is refused" 1 "$MS" -s s1 -d "$T/d/disk1"
has "the refusal names d10" "s1/d10 uses it.*disk1.*in use" "$T/err"
[ "$(md5sum < "$T/d/disk1")" = "$sum1" ] && ok "disk1 untouched" || no "disk1 changed"
check "deleting the spare disk2 is refused" 1 "$MS" -s s1 -d "$T/d/disk2"
has "the refusal names the pool" "hot spare pool of s1" "$T/err"
check "d10 still reads" 0 "$MST" -s s1 d10
check "clear d10" 0 "$B/cmds/metaclear" -s s1 d10
check "then disk1 may leave" 0 "$MS" -s s1 -d "$T/d/disk1"

# A replica length of 0 is an error, not the default.
truncate -s 64M "$T/d/disk3"
check "metaset -l 0 is refused" 2 "$MS" -s s1 -a -l 0 "$T/d/disk3"
has "the refusal says why" "invalid length '0'" "$T/err"
check "metadb -l 0 is refused" 2 "$B/cmds/metadb" -s s1 -a -l 0 "$T/d/disk3"
check "disk3 was not added" 1 "$B/cmds/metadb" -s s1 -d "$T/d/disk3"

# Another volume manager's signature (an LVM2 physical volume label, made
# by hand: LABELONE in sector 1 with LVM's CRC) is refused, bytes unchanged.
truncate -s 64M "$T/d/pv"
python3 - "$T/d/pv" <<'PY'
import struct, sys, zlib
sec = bytearray(512)
sec[0:8] = b"LABELONE"
struct.pack_into("<Q", sec, 8, 1)
struct.pack_into("<I", sec, 20, 32)
sec[24:32] = b"LVM2 001"
sec[32:64] = b"abcdefghijklmnopqrstuvwxyz012345"
struct.pack_into("<Q", sec, 64, 64 << 20)
init = 0xf597a6cf
crc = ~zlib.crc32(bytes(sec[20:512]), ~init & 0xffffffff) & 0xffffffff
struct.pack_into("<I", sec, 16, crc)
with open(sys.argv[1], "r+b") as f:
    f.seek(512)
    f.write(sec)
PY
sum_pv=$(md5sum < "$T/d/pv")
check "an LVM2 physical volume is refused" 1 "$MS" -s s1 -a "$T/d/pv"
has "the refusal names the signature" "LVM2_member" "$T/err"
[ "$(md5sum < "$T/d/pv")" = "$sum_pv" ] && ok "the LVM2 drive is untouched" || no "the LVM2 drive changed"

# metaparam's option values: a bad one is named, with the values allowed.
check "metaparam -p 10 is refused" 2 "$B/cmds/metaparam" -s s1 -p 10 d10
has "it says which pass numbers" "invalid pass number '10': use 0 to 9" "$T/err"
check "metaparam -r fast is refused" 2 "$B/cmds/metaparam" -s s1 -r fast d10
has "it lists the read options" "invalid value 'fast' for -r: use roundrobin, geometric or first" "$T/err"

# A soft partition larger than its free space: refused, the message says
# what was wanted and what is free, then names the unit.
truncate -s 64M "$T/d/disk4"
check "disk4 for soft partitions" 0 "$MS" -s s1 -a "$T/d/disk4"
check "a soft partition of 1 TB is refused" 1 "$MI" -s s1 d20 -p "$T/d/disk4" 1t
has "the message" "cannot place [0-9]+ blocks \([0-9]+ free\) for 's1/d20': " "$T/err"

st_done
