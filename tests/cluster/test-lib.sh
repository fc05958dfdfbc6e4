# shellcheck shell=bash
# tests/cluster/test-lib.sh: what every cluster scenario script sources.
#
#   . "$(dirname "$0")/test-lib.sh"
#   t_require_cluster              skip (exit 77) where a cluster cannot run
#   t_up 3                         bring up 3 nodes (torn down at exit)
#   ocl kill 1                     any ocluster command on this run
#   t_expect_view 2 "members=2,3 quorate=yes"
#   t_down                         tear down, then check nothing is left
#   t_done                         print the summary, exit 0
#
# Every check prints "ok N - what" or "not ok N - what" and a failed check
# ends the script (after teardown) with exit 1.  doc/test-cluster.md has a
# worked example.
set -uo pipefail

T_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_NAME=$(basename "$0" .sh)
OCLUSTER=$T_HERE/ocluster
T_COUNT=0
T_DIR=""
T_RUNID=""
# A loaded 2-core machine: be generous, never assert timings.
export OCLUSTER_TIMEOUT=${OCLUSTER_TIMEOUT:-120}
export OCLUSTER_QUIET=${OCLUSTER_QUIET:-}

t_log()
{
	echo "# $T_NAME: $*"
}

t_ok()
{
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT - $*"
}

t_fail()
{
	T_COUNT=$((T_COUNT + 1))
	echo "not ok $T_COUNT - $*"
	if [ -n "$T_DIR" ] && [ -d "$T_DIR" ]; then
		"$OCLUSTER" -d "$T_DIR" status 2>&1 | sed 's/^/# /'
		for f in "$T_DIR"/node*/log/corosync.log; do
			[ -f "$f" ] && { echo "# --- $f (tail)"; tail -n 15 "$f" | sed 's/^/# /'; }
		done
	fi
	exit 1
}

# t_check WHAT CMD... - run CMD; ok if it succeeds.
t_check()
{
	local what=$1
	shift
	if "$@"; then
		t_ok "$what"
	else
		t_fail "$what (command failed: $*)"
	fi
}

t_skip()
{
	echo "# SKIP $T_NAME: $*"
	exit 77
}

# t_require_cluster - skip unless this machine can run the test cluster.
t_require_cluster()
{
	[ "$(id -u)" -eq 0 ] || t_skip "needs root (network and mount namespaces)"
	command -v corosync >/dev/null || t_skip "corosync is not installed"
	command -v ip >/dev/null || t_skip "iproute2 is not installed"
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		t_skip "no overlay file system"
	[ -x "${OBAN_BUILDDIR:-$T_HERE/../..}/tests/cluster/ocmembers" ] ||
		[ -x "$T_HERE/ocmembers" ] ||
		t_fail "tests/cluster/ocmembers is not built"
}

# t_pid_gone PID - true once PID has exited (a zombie counts as exited),
# waiting at most 10 s for it.
t_pid_gone()
{
	local i st
	for ((i = 0; i < 100; i++)); do
		st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
		case $st in "" | Z | X) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

ocl()
{
	"$OCLUSTER" -d "$T_DIR" "$@"
}

T_AT_EXIT=()

# t_at_exit CMD - eval CMD when the script ends, however it ends (after the
# cluster's teardown, last registered first).
t_at_exit()
{
	T_AT_EXIT=("$1" "${T_AT_EXIT[@]}")
	t_traps
}

t_cleanup()
{
	local rc=$? c
	trap '' INT TERM HUP # the teardown runs to its end
	if [ -n "$T_DIR" ] && [ -f "$T_DIR/ocluster.env" ]; then
		"$OCLUSTER" -d "$T_DIR" down >/dev/null 2>&1 ||
			echo "# $T_NAME: teardown at exit failed"
	fi
	for c in "${T_AT_EXIT[@]}"; do
		eval "$c"
	done
	exit $rc
}

t_traps()
{
	trap t_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# t_up N - bring up N nodes, torn down whatever happens.
t_up()
{
	t_traps
	T_DIR=$("$OCLUSTER" up -n "$1" --owner $$) || t_fail "ocluster up -n $1"
	T_RUNID=$(sed -n 's/^OCL_RUNID=//p' "$T_DIR/ocluster.env")
	t_ok "up: $1 nodes quorate (run $T_RUNID)"
}

# t_expect_view K VIEW - node K sees exactly VIEW now.
t_expect_view()
{
	local v
	v=$(ocl members "$1" 2>&1)
	if [ "$v" = "$2" ]; then
		t_ok "node $1 sees $2"
	else
		t_fail "node $1 sees '$v', expected '$2'"
	fi
}

# t_leftovers RID DIR - print anything of run RID that still exists.
t_leftovers()
{
	local rid=$1 dir=$2 p
	ip netns list 2>/dev/null | grep -- "ocl-$rid-" | sed 's/^/netns: /'
	ip -o link 2>/dev/null | grep -- "ocl$rid" | sed 's/^/link: /'
	grep -h -- "$rid" /proc/self/mountinfo | sed 's/^/mount: /'
	[ -n "$dir" ] && grep -hF -- "$dir" /proc/self/mountinfo | sed 's/^/mount: /'
	for p in /proc/[0-9]*; do
		tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qx "OCLUSTER_RUNID=$rid" &&
			echo "process: ${p#/proc/} $(tr '\0' ' ' 2>/dev/null <"$p/cmdline")"
	done
	[ -e "/run/ocluster/$rid" ] && echo "registry: /run/ocluster/$rid"
	[ -n "$dir" ] && [ -e "$dir" ] && echo "state directory: $dir"
	return 0
}

# t_down - tear down and assert that nothing of the run is left.
t_down()
{
	local left
	ocl down || t_fail "ocluster down"
	left=$(t_leftovers "$T_RUNID" "$T_DIR")
	[ -z "$left" ] || {
		echo "$left" | sed 's/^/# /'
		T_DIR=""
		t_fail "down left things behind"
	}
	t_ok "down: no namespace, link, mount, process or file of run $T_RUNID left"
	T_DIR=""
}

t_done()
{
	echo "1..$T_COUNT"
	exit 0
}
