#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mdcommd's runtime.cf commd_trace_dir at start, on one node and without a
# cluster (tracing is turned on before the daemon connects to anything): a
# directory it cannot trace into stops it, exit 1, with an error that
# names the key and the path; a file of its pid left there by a former
# process of the same pid (EEXIST) stops it too and is left as it was.
set -euo pipefail

B=${OBAN_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d /tmp/oban-tracestart.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export OBAN_ETCDIR=$tmp/etc OBAN_STATEDIR=$tmp/state OBAN_RUNDIR=$tmp/run
mkdir -p "$tmp/etc" "$tmp/state" "$tmp/run"
fail() { echo "FAIL: $*" >&2; exit 1; }

# start DIR WANT: mdcommd with commd_trace_dir DIR stops at start, exit 1,
# its error WANT (a fixed string; PID in it is the daemon's pid).  The
# shell's pid is the daemon's (exec), so a file of that pid can be made
# first: with MAKE=1 in the environment.
start()
{
	printf 'commd_rt_priority 0\ncommd_trace_dir %s\n' "$1" \
		> "$tmp/etc/runtime.cf"
	set +e
	MAKE=${MAKE:-0} DIR=$1 sh -c '
		if [ "$MAKE" = 1 ]; then printf keep > "$DIR/$$"; fi
		echo $$ > "'"$tmp"'/pid"
		exec "$0/daemons/mdcommd/mdcommd"' "$B" 2> "$tmp/err"
	local rc=$?
	set -e
	local want=${2//PID/$(cat "$tmp/pid")}
	[ "$rc" = 1 ] || fail "commd_trace_dir $1: exit $rc, want 1: $(cat "$tmp/err")"
	grep -qxF "mdcommd: $want" "$tmp/err" ||
		fail "commd_trace_dir $1: '$(cat "$tmp/err")', want 'mdcommd: $want'"
}

start "$tmp/absent" \
	"commd_trace_dir: cannot trace into '$tmp/absent': No such file or directory"
: > "$tmp/plain"
start "$tmp/plain" \
	"commd_trace_dir: cannot trace into '$tmp/plain': Not a directory"
mkdir "$tmp/taken"
MAKE=1 start "$tmp/taken" \
	"commd_trace_dir: cannot create trace file PID in '$tmp/taken': File exists"
[ "$(cat "$tmp/taken/$(cat "$tmp/pid")")" = keep ] ||
	fail "the leftover file was changed"
[ "$(ls "$tmp/taken" | wc -l)" = 1 ] || fail "files left: $(ls "$tmp/taken")"
echo "test_mdctrace_start: 3 cases passed"
