#!/usr/bin/env bash
# End-to-end test of the configuration commands over the real set layer:
# metaset creates a multi-owner set on file-backed drives (with replicas),
# then metainit/metastat/metattach/metadetach/metaparam/metarename/metahs/
# metaclear run as programs; "metastat -p | metainit -a" must rebuild an
# identical configuration.  Every node path is moved into a scratch dir.
set -euo pipefail

B=${OBAN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/cmds
tmp=$(mktemp -d /tmp/oban-cfg-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export OBAN_ETCDIR=$tmp/etc OBAN_STATEDIR=$tmp/state OBAN_RUNDIR=$tmp/run
# Multi-owner set on one node without mdcommd: commands run locally (a
# test-only hook; skip where it is not built in).
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || { echo "# SKIP: test hooks are not built in"; exit 77; }
export OBAN_MN_LOCAL=1
export OBAN_NODENAME=node1
mkdir -p "$tmp/etc" "$tmp/state" "$tmp/run" "$tmp/drives"
echo "drive_glob $tmp/drives/*" > "$tmp/etc/runtime.cf"
D=$tmp/drives
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # expect CODE command...: exit code and nothing changed on failure
	local code=$1; shift
	"$B/metastat" -s blue -p > "$tmp/before"
	set +e; "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?; set -e
	[ "$rc" = "$code" ] || fail "$* -> $rc (want $code): $(cat "$tmp/err")"
	"$B/metastat" -s blue -p > "$tmp/after"
	[ "$code" = 0 ] || cmp -s "$tmp/before" "$tmp/after" || fail "$* changed the set"
}

# 652140032 bytes leave 1238888 data blocks (604 MB) after label and replica.
for d in a b; do truncate -s 652140032 "$D/$d"; done
for d in c e f s t; do truncate -s 700M "$D/$d"; done
truncate -s 100M "$D/g" "$D/h"
"$B/metaset" -s blue -a -M -h node1 > /dev/null
"$B/metaset" -s blue -a "$D/a" "$D/b" "$D/c" "$D/e" "$D/f" "$D/g" "$D/h" "$D/s" "$D/t" > /dev/null

# The product document's mirror, as metastat prints it.
expect 0 "$B/metainit" -s blue d20 1 1 "$D/a"
expect 0 "$B/metainit" -s blue d21 1 1 "$D/b"
expect 0 "$B/metainit" -s blue d22 -m d20 d21
"$B/metastat" -s blue d22 > "$tmp/out"
cat > "$tmp/want" <<EOT
blue/d22: Mirror
    Submirror 0: blue/d20
      State: Okay
    Submirror 1: blue/d21
      State: Okay
    Pass: 1
    Read option: roundrobin (default)
    Write option: parallel (default)
    Resync option: optimized resync
    Owner: None
    Size: 1238888 blocks (604 MB)
EOT
head -n 11 "$tmp/out" | cmp -s - "$tmp/want" || { diff "$tmp/want" "$tmp/out"; fail "metastat d22"; }

# Every type and command.
expect 0 "$B/metainit" -s blue hsp001 "$D/s"
expect 0 "$B/metainit" -s blue d1 1 2 "$D/e" "$D/f" -i 64k -h hsp001
expect 0 "$B/metainit" -s blue d10 -p d22 100m
expect 0 "$B/metainit" -s blue d11 -p "$D/c" 10m
expect 0 "$B/metattach" -s blue d11 20m
expect 0 "$B/metaparam" -s blue -r first -w serial -p 2 d22
expect 0 "$B/metahs" -s blue -a hsp001 "$D/t"
expect 0 "$B/metahs" -s blue -i hsp001
grep -q "blue/hsp001: 2 hot spares" "$tmp/out" || fail "metahs -i"
expect 1 "$B/metainit" -s blue d8192 1 1 "$D/c"
grep -q "name or number out of range" "$tmp/err" || fail "d8192 message"
expect 1 "$B/metainit" -s blue d2 1 1 "$D/a"
expect 1 "$B/metainit" -s blue d2 -p "$D/c" 10t
expect 1 "$B/metaclear" -s blue d20
expect 2 "$B/metainit" -s blue
expect 0 "$B/metadetach" -s blue d22 d21
expect 1 "$B/metadetach" -s blue -f d22 d20
grep -q "last submirror" "$tmp/err" || fail "detach of the last submirror"
expect 0 "$B/metarename" -s blue d21 d121
expect 0 "$B/metattach" -s blue d22 d121
"$B/metastat" -s blue -c > "$tmp/out"
grep -q "blue/d121 (Resyncing)" "$tmp/out" || fail "metastat -c after attach"
# metarename -x: refused for a mirror under soft partitions (d10 on d22) and
# while a submirror resyncs; then both ways on a mirror of its own.
expect 1 "$B/metarename" -s blue -x d22 d20
grep -q "'blue/d22': in use by another metadevice" "$tmp/err" || fail "exchange under soft partitions: $(cat "$tmp/err")"
expect 0 "$B/metainit" -s blue d30 1 1 "$D/g"
expect 0 "$B/metainit" -s blue d31 -m d30 -r
expect 0 "$B/metainit" -s blue d32 1 1 "$D/h"
expect 0 "$B/metattach" -s blue d31 d32
expect 1 "$B/metarename" -s blue -x d31 d30
grep -q "'blue/d32': resync in progress" "$tmp/err" || fail "exchange while resyncing: $(cat "$tmp/err")"
expect 0 "$B/metadetach" -s blue d31 d32
expect 0 "$B/metarename" -s blue -x d30 d31
grep -q "blue/d30 and blue/d31 have exchanged identities" "$tmp/out" || fail "exchange output"
"$B/metastat" -s blue -p d30 | grep -q "^blue/d30 -m blue/d31 -r 1$" || fail "exchanged mirror: $("$B/metastat" -s blue -p d30)"
expect 0 "$B/metaclear" -s blue -r d30 d32
# soft partition alignment, kept through metastat -p | metainit -a below
expect 0 "$B/metainit" -s blue d12 -p -A 1m "$D/c" 5m
off=$("$B/metastat" -s blue -p d12 | sed -n 's/^blue\/d12 -p -A 2048b .* -o \([0-9]*\) -b 10240$/\1/p')
[ -n "$off" ] && [ $((off % 2048)) = 0 ] || fail "aligned soft partition: $("$B/metastat" -s blue -p d12)"
# metastat -i: every drive found and readable here
expect 0 "$B/metastat" -s blue -i

# metastat -p | metainit -a rebuilds an identical configuration.
"$B/metastat" -s blue -p > "$tmp/p1"
expect 0 "$B/metaclear" -s blue -a
[ ! -s "$tmp/after" ] || fail "metaclear -a left: $(cat "$tmp/after")"
"$B/metainit" -s blue -n -a -f - < "$tmp/p1" > /dev/null
[ -z "$("$B/metastat" -s blue -p)" ] || fail "metainit -n -a wrote"
"$B/metastat" -s blue -p < /dev/null | cmp -s - /dev/null || fail "not empty"
# no -s: the names say which set
"$B/metainit" -a -f - < "$tmp/p1" > /dev/null
"$B/metastat" -s blue -p > "$tmp/p2"
cmp -s "$tmp/p1" "$tmp/p2" || { diff "$tmp/p1" "$tmp/p2"; fail "rebuild differs"; }
# A second set: metastat -a shows both; no reference crosses sets.
truncate -s 100M "$D/r1"
"$B/metaset" -s red -a -M -h node1 > /dev/null
"$B/metaset" -s red -a "$D/r1" > /dev/null
"$B/metainit" -s red d5 1 1 "$D/r1" > /dev/null
expect 1 "$B/metainit" -s blue d50 -p red/d5 10m
grep -q "belongs to another set" "$tmp/err" || fail "cross-set reference"
"$B/metastat" -a -c > "$tmp/out"
# (the mirror d22 under its soft partition d10, as SVM's -c shows it)
grep -q "^blue/d10 " "$tmp/out" && grep -q "^    blue/d22 " "$tmp/out" &&
	grep -q "^red/d5 " "$tmp/out" || fail "metastat -a"
expect 0 "$B/metaclear" -s blue -a
echo "PASS: configuration commands over the set layer"
