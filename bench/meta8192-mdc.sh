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
# shellcheck disable=SC2034 # read by lib-cluster.sh
cluster_prog=meta8192-mdc
# shellcheck source=bench/lib-cluster.sh
. "$here/lib-cluster.sh"
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

# setup N: mdcommd on every node, set "bench" on all of them with the
# three drives, all joined; sets setno.
setup()
{
	local n=$1 i big=$((vols + 1024))
	truncate -s "${big}M" "$dir/shared/d1" "$dir/shared/d2" &&
		truncate -s 64M "$dir/shared/d3" || return 1
	cluster_start "$n" || return 1
	cluster_mkset "$n" bench "$dir/shared/d1" "$dir/shared/d2" "$dir/shared/d3" ||
		return 1
	cluster_join "$n" bench || return 1
	setno=$(cluster_setno "$n" bench)
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
	cluster_up "$n" || die "up -n $n"
	setup "$n" || die "setup on $n nodes"
	args=(-m -n "$vols")
	[ -n "$xbin" ] && args+=(-x "$xbin")
	echo "nodes=$n initiator=node$n"
	# bounded: at most 20 minutes for the whole run
	ocl exec "$n" env LD_LIBRARY_PATH="$OBAN_BUILDDIR/lib/libmeta/.libs" \
		timeout -k 10 1200 "$bench" "${args[@]}" || die "meta8192 -m on $n nodes"
	echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	cluster_down
done
