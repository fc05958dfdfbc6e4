#!/usr/bin/env bash
# metarecover over the real set layer, on one node: a multi-owner set on
# file-backed drives (OBAN_MN_LOCAL: no mdcommd, the commands act here).
# -p tells a drive without headers, -m -n writes nothing, -m writes the
# chain, -p then matches; the soft partitions cleared are rebuilt by -d
# with exactly the extents they had (metastat -p identical); -d again
# changes nothing; a damaged header, an overlapping metadevice and a node
# that is not the master are refused and change nothing.
set -euo pipefail

B=${OBAN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/cmds
tmp=$(mktemp -d /tmp/oban-mnrecover.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || { echo "# SKIP: test hooks are not built in"; exit 77; }
export OBAN_ETCDIR=$tmp/etc OBAN_STATEDIR=$tmp/state OBAN_RUNDIR=$tmp/run
export OBAN_MN_LOCAL=1 OBAN_NODENAME=node1
mkdir -p "$tmp/etc" "$tmp/state" "$tmp/run" "$tmp/drives"
echo "drive_glob $tmp/drives/*" > "$tmp/etc/runtime.cf"
D=$tmp/drives
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { # run CODE command...: exit code, output in $tmp/out and $tmp/err
	local code=$1; shift
	set +e; "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?; set -e
	[ "$rc" = "$code" ] || fail "$* -> $rc (want $code): $(cat "$tmp/out" "$tmp/err")"
}
state() { "$B/metastat" -s blue -p > "$tmp/$1"; }

truncate -s 200M "$D/a" "$D/b"
"$B/metaset" -s blue -a -M -h node1 > /dev/null
"$B/metaset" -s blue -a "$D/a" "$D/b" > /dev/null
"$B/metainit" -s blue d10 -p "$D/a" 10m > /dev/null
"$B/metainit" -s blue d11 -p "$D/a" 20m > /dev/null
"$B/metainit" -s blue d12 -p "$D/a" 5m > /dev/null
"$B/metaclear" -s blue d11 > /dev/null
"$B/metattach" -s blue d10 1m > /dev/null
"$B/metainit" -s blue d1 1 1 "$D/b" > /dev/null

# Usage.
run 2 "$B/metarecover" -s blue "$D/a"
run 2 "$B/metarecover" -s blue "$D/a" -p -d -m
# Not a soft partition on a drive, not a drive of the set.
run 1 "$B/metarecover" -s blue d1 -p -m
grep -q "need the engine" "$tmp/err" || fail "d1: $(cat "$tmp/err")"
run 1 "$B/metarecover" -s blue "$tmp/nodrive" -p

# No headers yet: every one is missing.
run 1 "$B/metarecover" -s blue "$D/a" -p
grep -q "6 differences on drive '$D/a'" "$tmp/err" || fail "-p: $(cat "$tmp/err")"
grep -q "block 0: d10 extent 0 of 2" "$tmp/out" || fail "-p: $(cat "$tmp/out")"
run 0 "$B/metarecover" -s blue "$D/a" -p -m -n
grep -q "5 extent headers would be written" "$tmp/out" || fail "-m -n"
run 1 "$B/metarecover" -s blue "$D/a" -p
# Written: they match.
run 0 "$B/metarecover" -s blue "$D/a" -p -m
run 0 "$B/metarecover" -s blue d12 -p
grep -q "5 extent headers match" "$tmp/out" || fail "-p after -m: $(cat "$tmp/out")"

# The configuration lost (cleared): -d -n tells, changes nothing; -d rebuilds.
state want
"$B/metaclear" -s blue d10 d12 > /dev/null
state cleared
run 1 "$B/metarecover" -s blue "$D/a" -p
grep -q "not in the configuration: block 0: d10" "$tmp/out" || fail "-p cleared"
run 0 "$B/metarecover" -s blue "$D/a" -p -d -n
grep -q "blue/d10: would be recovered" "$tmp/out" || fail "-d -n: $(cat "$tmp/out")"
state after; cmp -s "$tmp/cleared" "$tmp/after" || fail "-d -n changed the set"
# Something now overlaps d10's first extent: refused, nothing created.
"$B/metainit" -s blue d30 -p "$D/a" -o 5 -b 100 > /dev/null
state before
run 1 "$B/metarecover" -s blue "$D/a" -p -d
state after; cmp -s "$tmp/before" "$tmp/after" || fail "refused -d changed the set"
"$B/metaclear" -s blue d30 > /dev/null
run 0 "$B/metarecover" -s blue "$D/a" -p -d
grep -q "blue/d12: Soft Partition is recovered" "$tmp/out" || fail "-d: $(cat "$tmp/out")"
state got; cmp -s "$tmp/want" "$tmp/got" || { diff "$tmp/want" "$tmp/got"; fail "-d did not rebuild"; }
run 0 "$B/metarecover" -s blue "$D/a" -p -d
grep -q "blue/d10: already in the configuration" "$tmp/out" || fail "-d again"
state after; cmp -s "$tmp/want" "$tmp/after" || fail "-d again changed the set"

# A damaged header (the second of the chain): -d names it, changes nothing.
off=$(grep -obUa OBWM "$D/a" | sed -n 2p | cut -d: -f1)
[ -n "$off" ] || fail "no second header found"
printf '\xff' | dd of="$D/a" bs=1 seek=$((off + 40)) conv=notrunc status=none
"$B/metaclear" -s blue d12 > /dev/null
state before
run 1 "$B/metarecover" -s blue "$D/a" -p -d
grep -q "cannot read extent header at '$D/a block 20481': checksum mismatch" "$tmp/err" ||
	fail "damaged: $(cat "$tmp/err")"
state after; cmp -s "$tmp/before" "$tmp/after" || fail "damaged -d changed the set"

# Only the master runs it.
OBAN_NODENAME=node2 run 1 "$B/metarecover" -s blue "$D/a" -p -m
grep -q "cannot recover (master: node1) set 'blue' on node .*: runs only on the set's master" \
	"$tmp/err" || fail "not master: $(cat "$tmp/err")"
echo "ok: metarecover"
