# shellcheck shell=bash
# bench/lib-cluster.sh: the test-cluster setup shared by the cluster
# benchmarks (bench/mdc-bench.sh, bench/meta8192-mdc.sh).  Sourced, never
# run; the sourcing script sets cluster_prog (its name in messages) first.
#
# It sets OBAN_BUILDDIR (the build tree, default the source tree),
# OCLUSTER_QUIET, ocl_bin, and dir (the running cluster's directory, empty
# when none), and installs the traps that tear the cluster down whatever
# happens.  Then:
#
#   cluster_up N                 N nodes up (tests/cluster/ocluster); sets dir
#   cluster_down                 tear the cluster down (also on exit)
#   cluster_start N              node list and runtime.cf on every node
#                                (with the lines of cluster_runtime_extra,
#                                default none, at its end), mdcommd
#                                started on each, all members
#   cluster_spawn K BUILD [PREFIX...]
#                                mdcommd of BUILD on node K, through PREFIX
#   cluster_wait_members N BUILD every node's mdcommd sees N members
#                                (bounded: 60 s a node, no error past it)
#   cluster_mkset N SET DRIVE... multi-owner SET on node1..nodeN with DRIVEs
#   cluster_join N SET...        every node joins every SET, node 1 first
#   cluster_setno NODE SET       print SET's number as NODE sees it
#   ocl ARGS...                  ocluster on the running cluster
#   die MESSAGE                  "$cluster_prog: MESSAGE" on stderr, exit 1
#
# Every metaset is bounded by timeout(1): a hung one fails the setup
# instead of the whole run.
cluster_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export OBAN_BUILDDIR=${OBAN_BUILDDIR:-$(cd "$cluster_here/.." && pwd)}
export OCLUSTER_QUIET=1
ocl_bin=$cluster_here/../tests/cluster/ocluster
cluster_prog=${cluster_prog:-bench}
cluster_runtime_extra=${cluster_runtime_extra:-}
dir=""

cluster_down()
{
	[ -n "$dir" ] && "$ocl_bin" -d "$dir" down >/dev/null 2>&1
	dir=""
}
trap 'trap "" INT TERM HUP; cluster_down' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ocl() { "$ocl_bin" -d "$dir" "$@"; }
die() { echo "$cluster_prog: $*" >&2; exit 1; }

cluster_up()
{
	dir=$("$ocl_bin" up -n "$1" --owner $$)
}

cluster_spawn()
{
	local k=$1 b=$2
	shift 2
	ocl spawn "$k" mdcommd "$@" "$b/daemons/mdcommd/mdcommd"
}

cluster_wait_members()
{
	local n=$1 b=$2 k i
	for ((k = 1; k <= n; k++)); do
		for ((i = 0; i < 300; i++)); do
			ocl exec "$k" "$b/daemons/mdcommd/mdcctl" status 2>/dev/null |
				grep -q ", $n members" && break
			sleep 0.2
		done
	done
}

cluster_start()
{
	local n=$1 k nl=""
	for ((k = 1; k <= n; k++)); do
		nl+="$k node$k 10.99.0.$k"$'\n'
	done
	for ((k = 1; k <= n; k++)); do
		ocl exec "$k" sh -c "printf '%s' '$nl' > /run/oban/nodelist && printf 'commd_verbosity 0\ncommd_inconsistency_action leave\ndrive_glob %s/d*\n' \"\$OCLUSTER_SHARED\" > /etc/oban/runtime.cf" ||
			return 1
		if [ -n "$cluster_runtime_extra" ]; then
			printf '%s\n' "$cluster_runtime_extra" |
				ocl exec "$k" sh -c 'cat >> /etc/oban/runtime.cf' || return 1
		fi
		cluster_spawn "$k" "$OBAN_BUILDDIR" || return 1
	done
	cluster_wait_members "$n" "$OBAN_BUILDDIR"
}

cluster_mkset()
{
	local n=$1 set=$2 k hosts=()
	shift 2
	for ((k = 1; k <= n; k++)); do
		hosts+=("node$k")
	done
	ocl exec 1 timeout 300 metaset -s "$set" -M -a -h "${hosts[@]}" >/dev/null &&
		ocl exec 1 timeout 300 metaset -s "$set" -a "$@" >/dev/null
}

cluster_join()
{
	local n=$1 k set
	shift
	for ((k = 1; k <= n; k++)); do
		for set in "$@"; do
			ocl exec "$k" timeout 300 metaset -s "$set" -j || return 1
		done
	done
}

cluster_setno()
{
	ocl exec "$1" timeout 60 metaset -s "$2" |
		sed -n 's/.*Set number = \([0-9]*\).*/\1/p'
}
