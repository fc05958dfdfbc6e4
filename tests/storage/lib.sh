# tests/storage/lib.sh: what the one-node command tests share.  Sourced
# with the test's name: `. "$(dirname "$0")/lib.sh" t0010`.
#
# Gives every test its own scratch directory $T (removed at exit) with the
# node's etc, state and run directories and a drive directory $T/d that
# runtime.cf's drive_glob names; $B is the build tree.  ok / no count
# results; check NAME RC CMD... runs CMD, keeping its output in $T/out and
# $T/err; has NAME PATTERN FILE greps; st_done prints the closing line and
# sets the exit status.
set -u
B=${OBAN_BUILDDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
T=$(mktemp -d "/tmp/oban-$1.XXXXXX")
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
st_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
