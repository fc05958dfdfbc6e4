#!/usr/bin/env bash
# metarecover and the extent headers over the real set layer, on one node:
# a multi-owner set on file-backed drives (OBAN_MN_LOCAL: no mdcommd, the
# commands act here).  Every change to a soft partition on a drive writes
# the drive's headers (meta_spwm_post()): -p matches after metainit,
# metattach, metaclear and metarename with no -m; -d does not bring back a
# cleared soft partition; the last one cleared leaves one free header; a
# drive missing on this node gets a warning naming it and -m, the change
# stays.  The configuration lost (the headers kept): -d rebuilds it with
# exactly the extents it had (metastat -p identical); -d again changes
# nothing; a damaged header, an overlapping metadevice and a node that is
# not the master are refused and change nothing.
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

match() { # match N drive: -p says the N headers match
	run 0 "$B/metarecover" -s blue "$2" -p
	grep -q "$1 extent headers match" "$tmp/out" || fail "-p $2 (want $1): $(cat "$tmp/out")"
}

truncate -s 200M "$D/a" "$D/b" "$D/c"
"$B/metaset" -s blue -a -M -h node1 > /dev/null
"$B/metaset" -s blue -a "$D/a" "$D/b" "$D/c" > /dev/null
run 0 "$B/metarecover" -s blue "$D/a" -p
grep -q "no soft partition and no extent header" "$tmp/out" || fail "-p empty: $(cat "$tmp/out")"

# Each change writes the headers: -p matches without -m.
run 0 "$B/metainit" -s blue d10 -p "$D/a" 10m
[ ! -s "$tmp/err" ] || fail "metainit warned: $(cat "$tmp/err")"
match 2 "$D/a"
"$B/metainit" -s blue d11 -p "$D/a" 20m > /dev/null
"$B/metainit" -s blue d12 -p "$D/a" 5m > /dev/null
match 4 "$D/a"
"$B/metattach" -s blue d10 1m > /dev/null
match 5 "$D/a"
run 0 "$B/metarecover" -s blue d10 -p -v
grep -q "block 0: d10 extent 0 of 2, offset 0, 20480 blocks" "$tmp/out" || fail "grown: $(cat "$tmp/out")"
"$B/metaclear" -s blue d11 > /dev/null
match 5 "$D/a"
run 0 "$B/metarecover" -s blue "$D/a" -p -v
grep -q "block 20481: free, 40960 blocks" "$tmp/out" || fail "cleared gap: $(cat "$tmp/out")"
# The cleared one is not brought back.
state want
run 0 "$B/metarecover" -s blue "$D/a" -p -d
grep -q "d11" "$tmp/out" && fail "-d brought d11 back: $(cat "$tmp/out")"
state after; cmp -s "$tmp/want" "$tmp/after" || fail "-d after a clear changed the set"
# Renumbered: the headers name the new number.
"$B/metarename" -s blue d12 d13 > /dev/null
match 5 "$D/a"
run 0 "$B/metarecover" -s blue d13 -p -v
grep -q "block 61442: d13 extent 0 of 1" "$tmp/out" || fail "renamed: $(cat "$tmp/out")"
"$B/metarename" -s blue d13 d12 > /dev/null
match 5 "$D/a"
# -m rewrites the same chain; -m -n writes nothing.
run 0 "$B/metarecover" -s blue "$D/a" -p -m -n
grep -q "5 extent headers would be written" "$tmp/out" || fail "-m -n"
run 0 "$B/metarecover" -s blue "$D/a" -p -m
match 5 "$D/a"

# A stripe gets no headers; the last soft partition cleared: one free header.
"$B/metainit" -s blue d1 1 1 "$D/b" > /dev/null
run 0 "$B/metarecover" -s blue "$D/b" -p
grep -q "no soft partition and no extent header" "$tmp/out" || fail "-p stripe: $(cat "$tmp/out")"
"$B/metainit" -s blue d40 -p "$D/c" 1m > /dev/null
match 2 "$D/c"
"$B/metaclear" -s blue d40 > /dev/null
run 0 "$B/metarecover" -s blue "$D/c" -p -v
grep -q "block 0: free, [0-9]* blocks" "$tmp/out" && grep -q "the free header covers the drive" "$tmp/out" ||
	fail "-p after the last clear: $(cat "$tmp/out")"
run 1 "$B/metarecover" -s blue "$D/c" -p -m
state want
run 0 "$B/metarecover" -s blue "$D/c" -p -d
state after; cmp -s "$tmp/want" "$tmp/after" || fail "-d of a free drive changed the set"

# The drive missing on this node: the change is made, a warning names the
# drive and -m; once it is back, -p tells and -m repairs.
mv "$D/c" "$tmp/c.away"
run 0 "$B/metainit" -s blue d41 -p "$D/c" 1m
grep -q "blue/d41: Soft Partition is setup" "$tmp/out" || fail "metainit d41: $(cat "$tmp/out")"
grep -q "^warning: .* extent headers of drive '$D/c' are not written: .*no such drive; \`metarecover -s blue $D/c -p -m\` writes them" \
	"$tmp/err" || fail "no warning: $(cat "$tmp/err")"
mv "$tmp/c.away" "$D/c"
run 1 "$B/metarecover" -s blue "$D/c" -p
grep -q "missing or different: block 0: d41 extent 0 of 1" "$tmp/out" || fail "-p d41: $(cat "$tmp/out")"
run 0 "$B/metarecover" -s blue "$D/c" -p -m
match 2 "$D/c"
"$B/metaclear" -s blue d41 > /dev/null
state want

# The configuration lost, the drive's headers kept (their blocks saved and
# put back after the clear): -p -d -n tells, changes nothing; -d rebuilds.
hdrs=$(grep -obUa OBWM "$D/a" | cut -d: -f1)
[ -n "$hdrs" ] || fail "no header found on $D/a"
for o in $hdrs; do
	[ $((o % 512)) = 0 ] || continue
	dd if="$D/a" of="$tmp/h.$o" bs=512 skip=$((o / 512)) count=1 status=none
done
"$B/metaclear" -s blue d10 d12 > /dev/null
run 0 "$B/metarecover" -s blue "$D/a" -p
grep -q "the free header covers the drive" "$tmp/out" || fail "-p after clearing all: $(cat "$tmp/out")"
for f in "$tmp"/h.*; do
	o=${f##*.}
	dd if="$f" of="$D/a" bs=512 seek=$((o / 512)) count=1 conv=notrunc status=none
done
state cleared
run 1 "$B/metarecover" -s blue "$D/a" -p
grep -q "not in the configuration: block 0: d10" "$tmp/out" || fail "-p cleared: $(cat "$tmp/out")"
run 0 "$B/metarecover" -s blue "$D/a" -p -d -n
grep -q "blue/d10: would be recovered" "$tmp/out" || fail "-d -n: $(cat "$tmp/out")"
state after; cmp -s "$tmp/cleared" "$tmp/after" || fail "-d -n changed the set"
# The drive now used by a stripe (which writes no header): refused,
# nothing created.
"$B/metainit" -s blue d30 1 1 "$D/a" > /dev/null
state before
run 1 "$B/metarecover" -s blue "$D/a" -p -d
state after; cmp -s "$tmp/before" "$tmp/after" || fail "refused -d changed the set"
"$B/metaclear" -s blue d30 > /dev/null
run 0 "$B/metarecover" -s blue "$D/a" -p -d
grep -q "blue/d12: Soft Partition is recovered" "$tmp/out" || fail "-d: $(cat "$tmp/out")"
state got; cmp -s "$tmp/want" "$tmp/got" || { diff "$tmp/want" "$tmp/got"; fail "-d did not rebuild"; }
match 5 "$D/a"
run 0 "$B/metarecover" -s blue "$D/a" -p -d
grep -q "blue/d10: already in the configuration" "$tmp/out" || fail "-d again"
state after; cmp -s "$tmp/want" "$tmp/after" || fail "-d again changed the set"

# A damaged header (the second of the chain): -d names it, changes nothing.
"$B/metaclear" -s blue d12 > /dev/null
off=$(printf '%s\n' "$hdrs" | sed -n 2p)
[ -n "$off" ] || fail "no second header found"
printf '\xff' | dd of="$D/a" bs=1 seek=$((off + 40)) conv=notrunc status=none
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
