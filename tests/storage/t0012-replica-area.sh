#!/usr/bin/env bash
# t0012-replica-area: how many replicas a drive holds.  `metaset -a -c N`
# gives each drive it adds a replica area for N replicas of the set's
# length and puts N replicas on it; `metadb -a -c N` fills only the free
# room of that area.  Every refusal (too small a drive, no room, a length
# not the set's, more than 50 replicas in the set, the set's last replicas)
# names the drive or set, the room and what was asked, and writes nothing.
. "$(dirname "$0")/lib.sh" t0012
MS=$B/cmds/metaset MD=$B/cmds/metadb DUMP=$B/cmds/metadump

nrep() { "$MD" -s blue | grep -c "$1"; }
same() { # same NAME: the replica table is as in $T/before
	"$MD" -s blue > "$T/now" 2>&1
	if cmp -s "$T/before" "$T/now"; then ok "$1: nothing changed"; else
		no "$1: the replicas changed"; diff "$T/before" "$T/now"; fi
}
zero_label() { # zero_label NAME DRIVE: no label was written
	if cmp -s -n 4096 "$2" /dev/zero; then ok "$1: no label"; else
		no "$1: a label was written on $2"; fi
}

truncate -s 40M "$T/d/small"
truncate -s 60M "$T/d/a" "$T/d/b"
truncate -s 300M "$T/d/c" "$T/d/e" "$T/d/f" "$T/d/g"
check "create" 0 "$MS" -s blue -a -h node1

check "3 replicas on a 40 MiB drive: refused" 1 "$MS" -s blue -a -c 3 "$T/d/small"
has "names the drive" "'$T/d/small'" "$T/err"
has "gives its size and what it needs" "3 replicas of 16 MiB on a drive of 40 MiB \(needs 50 MiB" "$T/err"
zero_label "too small" "$T/d/small"
check "no replicas yet" 1 "$MD" -s blue

check "metaset -a -c 3 on two drives" 0 "$MS" -s blue -a -c 3 "$T/d/a" "$T/d/b"
[ "$(nrep "$T/d/a")" -eq 3 ] && [ "$(nrep "$T/d/b")" -eq 3 ] &&
	ok "3 replicas on each" || { no "3 replicas on each"; "$MD" -s blue; }
"$DUMP" "$T/d/a" > "$T/dump" 2>&1
has "the label's area holds 3" "replica area 1048576\+50331648: 3 x 16777216 bytes" "$T/dump"
has "data after the area, at 49 MiB" "data area 51380224\+" "$T/dump"
"$MD" -s blue > "$T/before"

check "metadb -a on a full area" 1 "$MD" -s blue -a "$T/d/a"
has "names the drive and its room" "cannot add 1 replica \(its replica area holds 3 of 16 MiB, 3 in use\) on '$T/d/a'" "$T/err"
same "full area"
check "metadb -l not the set's length" 1 "$MD" -s blue -a -l 64m "$T/d/a"
has "names both lengths" "cannot add replicas of 64 MiB \(131072 blocks; its replicas are 16 MiB, 32768 blocks\) to set 'blue': invalid replica length" "$T/err"
same "wrong length"
check "metadb -c 0" 2 "$MD" -s blue -a -c 0 "$T/d/a"
check "metadb -c 2x" 2 "$MD" -s blue -a -c 2x "$T/d/a"
check "metadb -c 51" 2 "$MD" -s blue -a -c 51 "$T/d/a"
check "metadb -d with -c" 2 "$MD" -s blue -d -c 2 "$T/d/a"
check "metaset -c with -h" 2 "$MS" -s blue -a -c 2 -h node2
same "usage errors"

check "metadb -d frees the area" 0 "$MD" -s blue -d "$T/d/a"
[ "$(nrep "$T/d/a")" -eq 0 ] && ok "none left on it" || no "none left on it"
"$MD" -s blue > "$T/before"
check "metadb -a -c 4 in an area of 3" 1 "$MD" -s blue -a -c 4 "$T/d/a"
has "says what is free" "cannot add 4 replicas \(its replica area holds 3 of 16 MiB, 0 in use\)" "$T/err"
same "4 in 3"
check "metadb -a -c 2" 0 "$MD" -s blue -a -c 2 -l 32768 "$T/d/a"
check "metadb -a -c 1 fills it" 0 "$MD" -s blue -a -c 1 "$T/d/a"
[ "$(nrep "$T/d/a")" -eq 3 ] && ok "3 again" || no "3 again"

# The set's last replicas: all on b once a's are gone.
check "metadb -d a again" 0 "$MD" -s blue -d "$T/d/a"
"$MD" -s blue > "$T/before"
check "metadb -d of the last replicas" 1 "$MD" -s blue -d "$T/d/b"
has "says they are all the set's" "cannot delete the 3 replicas \(all of set 'blue'\) on '$T/d/b'" "$T/err"
same "last replicas (metadb)"
check "metaset -d of the drive with them" 1 "$MS" -s blue -d "$T/d/b"
has "says why" "cannot delete the 3 replicas \(all of set 'blue'\) on '$T/d/b'" "$T/err"
same "last replicas (metaset)"
check "metadb -a a back" 0 "$MD" -s blue -a -c 3 "$T/d/a"

# At most 50 replicas in a set: 6 + 3 x 15 is refused before any label.
"$MD" -s blue > "$T/before"
check "51 replicas refused" 1 "$MS" -s blue -a -c 15 "$T/d/c" "$T/d/e" "$T/d/f"
has "names the set and the count" "cannot add 45 replicas \(6 in use\) to set 'blue': too many replicas \(at most 50\)" "$T/err"
same "51 replicas"
for d in c e f; do zero_label "51 replicas" "$T/d/$d"; done
check "metaset -c 51" 2 "$MS" -s blue -a -c 51 "$T/d/c"
check "metaset -a -c 2 on c" 0 "$MS" -s blue -a -c 2 "$T/d/c"
[ "$(nrep "$T/d/c")" -eq 2 ] && ok "2 on c" || no "2 on c"

# Reopened from scratch: the replicas are found on their drives.
check "metaset -j" 0 "$MS" -s blue -j
"$MD" -s blue > "$T/out"
[ "$(grep -c ' a.*lu' "$T/out")" -eq 8 ] && ok "8 active replicas" || { no "8 active replicas"; cat "$T/out"; }

# metadb -a on several drives: the 50-replica limit for all of them before
# any.  23 in use (g full), areas of 15 free on e and f: 15 fit, 30 do not.
check "metaset -a -c 15 e f" 0 "$MS" -s blue -a -c 15 "$T/d/e" "$T/d/f"
check "metadb -d e f" 0 "$MD" -s blue -d "$T/d/e" "$T/d/f"
check "metaset -a -c 15 g" 0 "$MS" -s blue -a -c 15 "$T/d/g"
"$MD" -s blue > "$T/before"
check "metadb -a -c 15 e f: 53" 1 "$MD" -s blue -a -c 15 "$T/d/e" "$T/d/f"
has "names the set and the count" "cannot add 30 replicas \(23 in use\) to set 'blue': too many replicas \(at most 50\)" "$T/err"
same "53 replicas on two drives"
check "metadb -a -c 15 e: 38" 0 "$MD" -s blue -a -c 15 "$T/d/e"
check "delete e f g" 0 "$MS" -s blue -d "$T/d/e" "$T/d/f" "$T/d/g"
check "delete the drives" 0 "$MS" -s blue -d "$T/d/a" "$T/d/b" "$T/d/c"
check "delete the set" 0 "$MS" -s blue -d -h node1

# A multi-owner set (on one node, without mdcommd: a test-only hook):
# replicas of 16 MiB at least, whatever -c.
if [ "${OBAN_TEST_HOOKS:-yes}" = yes ]; then
	export OBAN_MN_LOCAL=1
	check "create a multi-owner set" 0 "$MS" -s red -M -a -h node1
	check "-c 2 -l 8m refused" 1 "$MS" -s red -a -c 2 -l 8m "$T/d/a"
	has "names the range" "16 MiB to 256 MiB" "$T/err"
	zero_label "8 MiB" "$T/d/a"
	check "-c 2 with the default length" 0 "$MS" -s red -a -c 2 "$T/d/a"
	"$DUMP" "$T/d/a" > "$T/dump" 2>&1
	has "2 x 16 MiB" "replica area 1048576\+33554432: 2 x 16777216 bytes" "$T/dump"
	check "metadb -l 8m refused" 1 "$MD" -s red -a -l 8m "$T/d/a"
	check "metaset -d" 0 "$MS" -s red -d "$T/d/a"
	check "delete red" 0 "$MS" -s red -d -h node1
fi
st_done
