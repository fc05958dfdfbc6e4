#!/usr/bin/env bash
# bench/cpg-baseline.sh: the raw Corosync CPG baseline (bench/cpgprobe.c) on
# a test cluster: one sender, a listener on every other node.
#
#   bench/cpg-baseline.sh                 bring up 3 nodes, measure, tear down
#   bench/cpg-baseline.sh -n 5            the same on 5 nodes
#   bench/cpg-baseline.sh -d DIR          measure on the running cluster DIR
#                                         (an `ocluster up` run); leave it up
#   bench/cpg-baseline.sh ... -- -r 500   pass options to `cpgprobe send`
#
# Prints key=value lines (cpg_rtt_us_median=..., cpg_pipe256_msgs_per_s=...)
# on stdout, progress on stderr.  Exit 0 only when every listener confirmed
# receipt of every message.
#
# Other benchmarks source this file and call the function, in the same run
# as their own measurement:
#
#   . bench/cpg-baseline.sh
#   cpg_baseline "$OCLUSTER_DIR" 1 -r 500    # sender node 1, then probe args
cpg_baseline_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# cpg_baseline DIR SENDER [PROBE_ARGS...] - run the probe on cluster DIR
# with SENDER as the sending node and every other live node listening.
# CPG_PROBE_PREFIX (words, e.g. "chrt -r 1"), if set, runs the sender and
# every listener through it: a comparison with mdcommd runs the probe at
# the daemon's own scheduling priority.
cpg_baseline()
{
	local dir=$1 sender=$2 ocl probe group n k listeners=() rc
	shift 2
	ocl=$cpg_baseline_here/../tests/cluster/ocluster
	probe=${OBAN_BUILDDIR:-$cpg_baseline_here/..}/bench/cpgprobe
	[ -x "$probe" ] || {
		echo "cpg-baseline: $probe is not built: run scripts/build.sh" >&2
		return 1
	}
	n=$(sed -n 's/^OCL_N=//p' "$dir/ocluster.env") || return 1
	group=oban-cpgprobe-$$-$RANDOM
	for ((k = 1; k <= n; k++)); do
		[ "$k" = "$sender" ] && continue
		"$ocl" -d "$dir" exec "$k" true 2>/dev/null || continue
		# shellcheck disable=SC2086 # CPG_PROBE_PREFIX: words
		"$ocl" -d "$dir" spawn "$k" cpgprobe-listen ${CPG_PROBE_PREFIX:-} "$probe" listen -g "$group" -T 120 ||
			return 1
		listeners+=("$k")
	done
	echo "cpg-baseline: sender node $sender, listeners on node(s) ${listeners[*]}" >&2
	# shellcheck disable=SC2086
	"$ocl" -d "$dir" exec "$sender" ${CPG_PROBE_PREFIX:-} "$probe" send -g "$group" -l ${#listeners[@]} "$@"
	rc=$?
	for k in "${listeners[@]}"; do
		"$ocl" -d "$dir" stop "$k" cpgprobe-listen --timeout 5 >/dev/null 2>&1
	done
	return $rc
}

# Sourced: define the function only.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	return 0
fi

set -uo pipefail
nodes=3
dir=""
while [ $# -gt 0 ]; do
	case $1 in
	-n) nodes=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: bench/cpg-baseline.sh [-n N | -d DIR] [-- PROBE_ARGS...]" >&2; exit 2 ;;
	esac
done
ocl=$cpg_baseline_here/../tests/cluster/ocluster
if [ -n "$dir" ]; then
	cpg_baseline "$dir" 1 "$@"
	exit $?
fi
dir=$("$ocl" up -n "$nodes" --owner $$) || exit 1
trap 'trap "" INT TERM HUP; "$ocl" -d "$dir" down' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "cpg-baseline: $nodes nodes up; on this machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cpg_baseline "$dir" 1 "$@"
