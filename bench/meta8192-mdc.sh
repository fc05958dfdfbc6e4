#!/usr/bin/env bash
# bench/meta8192-mdc.sh: bench/meta8192's creations as a user makes them:
# whole metainit commands through a real mdcommd on the test cluster
# (doc/bench.md, "8192 volumes in one set").
#
#   bench/meta8192-mdc.sh                  1 node, 8192 volumes
#   bench/meta8192-mdc.sh -n "1 3"         1 node, then 3 nodes
#   bench/meta8192-mdc.sh -v 2000          fewer volumes
#   bench/meta8192-mdc.sh -x               the first and last hundred by
#                                          the metainit binary itself
#
# For each cluster size N: N nodes up (tests/cluster/ocluster, corosync in
# network namespaces), mdcommd on each, a multi-owner set "bench" on all
# of them with three shared sparse drives (two of volumes + 1024 MiB for
# the mirror's concats, one of 64 MiB; one replica of 16 MiB on each), all
# joined, node 1 first (the master).  Then on node N (the master itself at
# 1 node, a slave at 3) `bench/meta8192 -m`: d0..d(V-1) created one
# metainit at a time by meta_mn_send_command(), the library call metainit
# makes on a multi-owner set (the dry run on every node, then the logged
# real run the master commits), or with -x by the metainit binary for the
# first and the last hundred; it prints the first and last hundred's cost
# and last/first, then metastat over all of them.  Asserts nothing; every
# wait is bounded; the cluster is torn down whatever happens.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
export OBAN_BUILDDIR=${OBAN_BUILDDIR:-$top}
export OCLUSTER_QUIET=1
ocl_bin=$top/tests/cluster/ocluster
sizes=1
vols=8192
xbin=""
while [ $# -gt 0 ]; do
	case $1 in
	-n) sizes=$2; shift 2 ;;
	-v) vols=$2; shift 2 ;;
	-x) xbin=$OBAN_BUILDDIR/cmds/.libs/metainit; shift ;;
	*) echo "usage: bench/meta8192-mdc.sh [-n \"SIZES\"] [-v VOLUMES] [-x]" >&2; exit 2 ;;
	esac
done
bench=$OBAN_BUILDDIR/bench/meta8192
[ -x "$bench" ] || { echo "meta8192-mdc: build first (scripts/build.sh)" >&2; exit 1; }

dir=""
teardown()
{
	[ -n "$dir" ] && "$ocl_bin" -d "$dir" down >/dev/null 2>&1
	dir=""
}
trap 'trap "" INT TERM HUP; teardown' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ocl() { "$ocl_bin" -d "$dir" "$@"; }
die() { echo "meta8192-mdc: $*" >&2; exit 1; }

setup()
{
	local n=$1 k nl="" hosts="" i big=$((vols + 1024))
	for ((k = 1; k <= n; k++)); do
		nl+="$k node$k 10.99.0.$k"$'\n'
		hosts+=" node$k"
	done
	truncate -s "${big}M" "$dir/shared/d1" "$dir/shared/d2" &&
		truncate -s 64M "$dir/shared/d3" || return 1
	for ((k = 1; k <= n; k++)); do
		ocl exec $k sh -c "printf '%s' '$nl' > /run/oban/nodelist && printf 'commd_verbosity 0\ncommd_inconsistency_action leave\ndrive_glob %s/d*\n' \"\$OCLUSTER_SHARED\" > /etc/oban/runtime.cf" || return 1
		ocl spawn $k mdcommd "$OBAN_BUILDDIR/daemons/mdcommd/mdcommd" || return 1
	done
	for ((k = 1; k <= n; k++)); do
		for ((i = 0; i < 300; i++)); do
			ocl exec $k "$OBAN_BUILDDIR/daemons/mdcommd/mdcctl" status 2>/dev/null |
				grep -q ", $n members" && break
			sleep 0.2
		done
	done
	# bounded: a hung metaset fails the setup instead of the whole run
	# shellcheck disable=SC2086
	ocl exec 1 timeout 300 metaset -s bench -M -a -h $hosts >/dev/null &&
		ocl exec 1 timeout 300 metaset -s bench -a "$dir/shared/d1" "$dir/shared/d2" "$dir/shared/d3" >/dev/null ||
		return 1
	for ((k = 1; k <= n; k++)); do
		ocl exec $k timeout 300 metaset -s bench -j || return 1
	done
	setno=$(ocl exec "$n" timeout 60 metaset -s bench | sed -n 's/.*Set number = \([0-9]*\).*/\1/p')
	[ -n "$setno" ] || return 1
	# every daemon has taken the join (a master known, the set joined):
	# a null message from the initiator runs everywhere (bounded)
	for ((i = 0; i < 150; i++)); do
		ocl exec "$n" timeout 10 "$OBAN_BUILDDIR/daemons/mdcommd/mdcctl" send "$setno" TEST1 >/dev/null 2>&1 &&
			return 0
		sleep 0.2
	done
	return 1
}

for n in $sizes; do
	echo "meta8192-mdc: $n node(s), $vols volumes; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	dir=$("$ocl_bin" up -n "$n" --owner $$) || die "up -n $n"
	setup "$n" || die "setup on $n nodes"
	args=(-m -n "$vols")
	[ -n "$xbin" ] && args+=(-x "$xbin")
	echo "nodes=$n initiator=node$n"
	# bounded: at most 20 minutes for the whole run
	ocl exec "$n" env LD_LIBRARY_PATH="$OBAN_BUILDDIR/lib/libmeta/.libs" \
		timeout -k 10 1200 "$bench" "${args[@]}" || die "meta8192 -m on $n nodes"
	echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	teardown
done
