#!/usr/bin/env bash
# t0010-metaset: metaset, metadb and metadump on one node, on file drives.
# Checks output formats, exit codes, refusals that leave drives untouched,
# and that a set survives its drives being renamed.
set -u
B=${OBAN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/oban-t0010.XXXXXX)
trap 'rm -rf "$T"' EXIT
export OBAN_ETCDIR=$T/etc OBAN_STATEDIR=$T/state OBAN_RUNDIR=$T/run
export OBAN_NODENAME=node1
mkdir -p "$T/etc" "$T/run" "$T/d"
echo "drive_glob $T/d/*" > "$T/etc/runtime.cf"
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
no() { echo "not ok - $1"; fail=$((fail + 1)); }
check() { # check NAME EXPECTED-RC CMD...
	local name=$1 want=$2 rc
	shift 2
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else
		no "$name (rc $rc, want $want)"; cat "$T/out" "$T/err"; fi
}
has() { # has NAME PATTERN FILE
	if grep -qE -- "$2" "$3"; then ok "$1"; else
		no "$1: no '$2' in"; cat "$3"; fi
}
MS=$B/cmds/metaset MD=$B/cmds/metadb DUMP=$B/cmds/metadump
for i in 0 1 2; do truncate -s 48M "$T/d/disk$i"; done
truncate -s 48M "$T/d/fs" && mkfs.ext4 -q -F "$T/d/fs" >/dev/null 2>&1

check "usage error exits 2" 2 "$MS" -s blue -a
check "unknown set" 1 "$MS" -s blue
has "unknown set message" "no such set" "$T/err"
check "create" 0 "$MS" -s blue -M -a -h node1
check "create twice" 1 "$MS" -s blue -M -a -h node1
has "exists message" "cannot add host 'node1': host is already in the set" "$T/err"
check "unknown host" 1 "$MS" -s red -M -a -h node9
check "print empty" 0 "$MS" -s blue
has "header line" "^Multi-owner Set name = blue, Set number = 1, Master = $" "$T/out"
has "host table" "^Host +Owner +Member$" "$T/out"
has "member without owner" "^  node1 +Yes$" "$T/out"

sum0=$(md5sum < "$T/d/fs")
check "refuse ext4" 1 "$MS" -s blue -a "$T/d/fs"
has "ext4 message" "ext4 file system.*use -f" "$T/err"
[ "$(md5sum < "$T/d/fs")" = "$sum0" ] && ok "ext4 drive untouched" || no "ext4 drive changed"
check "replica too small for MN" 1 "$MS" -s blue -a -l 8192 "$T/d/disk0"
check "add drives" 0 "$MS" -s blue -a -l 32768 "$T/d/disk0" "$T/d/disk1"
check "add third with size suffix" 0 "$MS" -s blue -a -l 16m "$T/d/disk2"
check "print" 0 "$MS" -s blue
has "master" "^Multi-owner Set name = blue, Set number = 1, Master = node1$" "$T/out"
has "owner" "^  node1 +multi-owner +Yes$" "$T/out"
has "drive table" "^Drive +Dbase$" "$T/out"
has "drive row" "disk1 +Yes$" "$T/out"
check "metadb" 0 "$MD" -s blue -i
has "replica rows" "amlu.*2048.*32768.*disk0" "$T/out"
has "legend" "^ a - replica is active, commits are occurring to this replica$" "$T/out"
[ "$(grep -c 'disk[0-9]$' "$T/out")" -eq 3 ] && ok "three replicas" || no "three replicas"
check "metadb -a on a full drive" 1 "$MD" -s blue -a "$T/d/disk0"
has "no room message" "no room" "$T/err"
check "metadb -d" 0 "$MD" -s blue -d "$T/d/disk2"
check "metadb after -d" 0 "$MD" -s blue
[ "$(grep -c 'disk[0-9]$' "$T/out")" -eq 2 ] && ok "two replicas" || no "two replicas"
check "metadb -a back" 0 "$MD" -s blue -a -c 1 "$T/d/disk2"
check "metadump" 0 "$DUMP" "$T/d/disk0"
has "dump label" "oban label version 1" "$T/out"
has "dump records" "record type 1 id 1 " "$T/out"
has "dump log" "change-log slot 15 copy 1" "$T/out"
dd if="$T/d/disk0" of="$T/replica.img" bs=1M skip=1 count=16 status=none
check "metadump of a bare replica image" 0 "$DUMP" -r 0 "$T/replica.img"
has "bare replica header" "header: ok" "$T/out"
has "bare replica newest" "newest: slot [01], txg [0-9]+" "$T/out"
printf 'garbage' | dd of="$T/replica.img" bs=1 seek=5000 conv=notrunc status=none
check "metadump of a damaged replica" 0 "$DUMP" -r 0 "$T/replica.img"
has "damaged commit reported" "commit slot 0: checksum mismatch" "$T/out"
check "metadump on a plain file" 1 "$DUMP" "$T/d/fs"
has "no label message" "no oban label" "$T/err"

# Names differ across nodes: move the drives, the set still opens.
mkdir "$T/d/moved" && mv "$T/d/disk0" "$T/d/moved/x0" && mv "$T/d/disk1" "$T/d/y1"
echo "drive_glob $T/d/moved/*" >> "$T/etc/runtime.cf"
check "print after rename" 0 "$MD" -s blue
[ "$(grep -c 'amlu\| a lu\|a  lu\|a lu' "$T/out")" -ge 1 ] && ok "replicas found after rename" || no "replicas found after rename"
! grep -q 'N' <(cut -c1-20 "$T/out" | tail -n +2) && ok "no replica missing" || { no "no replica missing"; cat "$T/out"; }

check "delete set with drives" 1 "$MS" -s blue -d -h node1
has "has drives message" "delete them first" "$T/err"
check "delete a drive" 0 "$MS" -s blue -d "$T/d/disk2"
check "deleted drive has no label" 1 "$DUMP" "$T/d/disk2"
check "force-delete the set" 0 "$MS" -s blue -d -f -h node1
check "set gone" 1 "$MS" -s blue
check "create again" 0 "$MS" -s green -M -a -h node1
check "purge" 0 "$MS" -s green -P
check "purged" 1 "$MS" -s green
# Quorum seen from the commands: 1 of 3 replicas left is stale.
for i in 0 1 2; do truncate -s 48M "$T/d/g$i"; done
truncate -s 48M "$T/d/g3"
check "create grey" 0 "$MS" -s grey -M -a -h node1
check "grey drives" 0 "$MS" -s grey -a "$T/d/g0" "$T/d/g1" "$T/d/g2"
mkdir "$T/away" && mv "$T/d/g0" "$T/d/g1" "$T/away/"
check "stale: metadb shows" 0 "$MD" -s grey
has "stale line" "state database of set 'grey' is stale" "$T/out"
has "missing replica flagged" "^ +N[[:space:]]+0" "$T/out"
check "stale: adding a drive is refused" 1 "$MS" -s grey -a "$T/d/g3"
has "stale message" "state database is stale \(too few replicas readable\): changes refused" "$T/err"
check "stale: deleting a replica is refused" 1 "$MD" -s grey -d "$T/d/g2"
has "stale message (metadb)" "stale" "$T/err"
mv "$T/away/g0" "$T/d/"
check "2 of 3: writable again" 0 "$MS" -s grey -a "$T/d/g3"
mv "$T/away/g1" "$T/d/"
check "back, but out of date" 0 "$MD" -s grey
has "out-of-date replica" "^ +l[[:space:]]+2048.*g1$" "$T/out"
check "withdraw" 0 "$MS" -s grey -w
check "print withdrawn" 0 "$MS" -s grey
has "no master" "^Multi-owner Set name = grey, Set number = [0-9]+, Master = $" "$T/out"
has "unavailable until joined" "^Master and owner information unavailable until joined \(metaset -j\)$" "$T/out"
has "not an owner" "^  node1 +Yes$" "$T/out"
check "join (repairs)" 0 "$MS" -s grey -j
check "all back" 0 "$MD" -s grey
[ "$(grep -c 'a.lu' "$T/out")" -eq 4 ] && ok "four active, up-to-date replicas" || { no "four active replicas"; cat "$T/out"; }
check "print joined" 0 "$MS" -s grey
has "master again" "Master = node1$" "$T/out"

# Hosts, with a membership list.  A multi-owner set across nodes needs
# mdcommd (tests/cluster has those); a traditional set's hosts are local.
printf '1 node1 10.0.0.1\n2 node2 10.0.0.2\n' > "$T/run/nodelist"
check "multi-owner set without mdcommd" 1 "$MS" -s pink -M -a -h node1 node2
has "mdcommd message" "mdcommd" "$T/err"
check "not created" 1 "$MS" -s pink
check "create with nodelist" 0 "$MS" -s red -a -h node1
check "add a host" 0 "$MS" -s red -a -h node2
check "add an unknown host" 1 "$MS" -s red -a -h node3
has "unknown host message" "cannot add host 'node3': host is not in the membership list" "$T/err"
check "add a host twice" 1 "$MS" -s red -a -h node2
check "print hosts" 0 "$MS" -s red
has "second host" "^  node2 *$" "$T/out"
check "delete this node first" 1 "$MS" -s red -d -h node1
check "delete the other host" 0 "$MS" -s red -d -h node2
check "print one host" 0 "$MS" -s red
! grep -q node2 "$T/out" && ok "node2 gone" || no "node2 gone"
check "delete the last host, and the set" 0 "$MS" -s red -d -h node1
check "red gone" 1 "$MS" -s red
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
