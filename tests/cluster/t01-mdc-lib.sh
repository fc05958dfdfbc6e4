# shellcheck shell=bash
# tests/cluster/t01-mdc-lib.sh: mdcommd helpers for the t01* scenarios,
# sourced after test-lib.sh.
#
#   mdc_start "1 2 3"          write runtime.cf, spawn mdcommd, wait for its
#                              socket on each node
#   mdc_wait_members K N       node K's daemon sees N members (bounded)
#   mdc K ARGS...              mdcctl ARGS on node K
#   mdc_expect WHAT PAT K ARGS...  ok when mdcctl's output matches PAT
#   mdc_status_field K NAME    one number of node K's status ("runs", ...)
#
# mdcommd's debug file is /run/oban/commd.out on each node (WORK and
# PROC bits on, so refused packets are written there).

export OBAN_BUILDDIR=${OBAN_BUILDDIR:-$(cd "$T_HERE/../.." && pwd)}
MDC_CTL=$OBAN_BUILDDIR/daemons/mdcommd/mdcctl
MDC_VERBOSITY=${MDC_VERBOSITY:-0x1f}

# mdc_wait CMD... - run CMD until it succeeds, at most 60 s.
mdc_wait()
{
	local i
	for ((i = 0; i < 300; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# (bounded: a send waits for a master for ever when none is known)
mdc()
{
	local k=$1
	shift
	ocl exec "$k" timeout -k 5 "${MDC_TIMEOUT:-60}" "$MDC_CTL" "$@"
}

mdc_start()
{
	local k
	for k in $1; do
		ocl exec "$k" sh -c "printf 'commd_verbosity $MDC_VERBOSITY\ncommd_out_file /run/oban/commd.out\ncommd_inconsistency_action leave\n' > /etc/oban/runtime.cf" ||
			t_fail "write runtime.cf on node $k"
		ocl spawn "$k" mdcommd "$OBAN_BUILDDIR/daemons/mdcommd/mdcommd" ||
			t_fail "spawn mdcommd on node $k"
	done
	for k in $1; do
		mdc_wait ocl exec "$k" test -S /run/oban/mdcommd.sock ||
			t_fail "mdcommd's socket on node $k"
	done
	t_ok "mdcommd serves on nodes $1"
}

mdc_wait_members()
{
	mdc_wait sh -c "'$OCLUSTER' -d '$T_DIR' exec $1 '$MDC_CTL' status | grep -q ', $2 members'"
}

mdc_expect()
{
	local what=$1 pat=$2 k=$3 out
	shift 3
	out=$(mdc "$k" "$@" 2>&1)
	if printf '%s\n' "$out" | grep -q -- "$pat"; then
		t_ok "$what"
	else
		t_fail "$what: node $k: mdcctl $*: $out"
	fi
}

# mdc_status_field K NAME - e.g. "runs", "bad packets", "master jobs".
mdc_status_field()
{
	mdc "$1" status | sed -n "s/.*[:,] $2 \([0-9][0-9]*\).*/\1/p"
}
