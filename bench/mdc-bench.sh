#!/usr/bin/env bash
# bench/mdc-bench.sh: mdcommd's message figures on the test cluster, each
# beside the raw CPG baseline (bench/cpgprobe) measured in the same run on
# the same cluster (doc/bench.md).
#
#   bench/mdc-bench.sh                 2, 3, 4 and 5 nodes
#   bench/mdc-bench.sh -n "3"          only 3 nodes
#   bench/mdc-bench.sh -r 300          round trips per figure (default 300)
#   bench/mdc-bench.sh -B DIR          also compare with another build
#   bench/mdc-bench.sh -q              no metainit and all-classes figures
#   bench/mdc-bench.sh -R              also the SCHED_RR experiment (below)
#
# -B DIR (a build tree of an older or newer version, scripts/build.sh run
# in it): after the figures below, on the same cluster, the logged and
# NO_LOG round trips are measured with this build's mdcommd and mdcbench
# and with DIR's, alternately, -A times each (default 2: A B, then B A), the
# daemons restarted on every node between them; the CPG ping-pong is
# measured again before each pair, and the pairs alternate their order
# (A B, B A, ...).  Before/after comparisons on one
# machine and one load: quote these.
#
# For each cluster size N: N nodes up, mdcommd on each, a multi-owner set
# "bench" on every node with one shared drive (so that its change log
# exists), all joined, node 1 first (the master).  Then, initiator on
# node 2 (a slave):
#   - the raw CPG figures (cpgprobe, sender node 2): the ping-pong round
#     trip through node 1 (PING from node 2, PONG from node 1, timed until
#     node 2 delivers the PONG: there and back, as a message to the master
#     and its answer), and the one-way ordered delivery (cpgprobe's "rtt":
#     a multicast until the sender's own delivery, one ordered pass);
#   - a null logged message round trip: TEST2 without NO_LOG (the master
#     writes and clears its change-log slot), and the same with NO_LOG;
#     mdcbench rtt (bench/mdcbench.c);
#   - the logged round trip on a second set, "bench3", with three drives
#     and so three replicas (a slot write and a clear on each);
#   - the parts beside them, same run: the local RPC hop alone (mdcbench
#     rpc on node 2: STATUS calls to its daemon), and one durable 4 KiB
#     write (mdcbench dwrite on node 1: O_DIRECT pwrite + fdatasync into a
#     file beside the drives, as one change-log slot write on one replica;
#     a logged message makes two), once on the idle cluster and once
#     while node 2 sends NO_LOG messages (the CPU load the master's own
#     log writes see: 2 cores shared by every node's corosync and daemon;
#     that NO_LOG run's own figure is not printed); beside the idle one,
#     the same write as one pwritev2(RWF_DSYNC), three of them one after
#     the other, and three at once through io_uring (the slot write on one
#     and on three replicas now);
#   - with -R only, an experiment, clearly labelled: the three round trips
#     again with every mdcommd run SCHED_RR priority 1 (chrt -r 1, below
#     corosync's real-time priority), then the daemons restarted as usual
#     (skipped where chrt -r 1 is refused; its failure does not end the
#     run);
# and at 3 nodes also:
#   - metainit latency: `metainit d10 1 1 DRIVE` from node 3 on the 3-node
#     set, against the same on a 1-node multi-owner set (host node1 only,
#     from node 1), each followed by an untimed metaclear, 10 times each;
#   - every class busy at once: mdcbench mix (TEST1..TEST5, one thread per
#     class) from node 2 for 10 s, logged, then with NO_LOG.
# Prints key=value lines and ratios; asserts nothing; every loop is bounded
# by a count and the tools' own time limits.  The cluster is torn down
# whatever happens.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
export OBAN_BUILDDIR=${OBAN_BUILDDIR:-$top}
export OCLUSTER_QUIET=1
ocl_bin=$top/tests/cluster/ocluster
. "$here/cpg-baseline.sh"
sizes="2 3 4 5"
rounds=300
other=""
alts=2
quick=0
sched_rr=0
while [ $# -gt 0 ]; do
	case $1 in
	-n) sizes=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	-B) other=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	-A) alts=$2; shift 2 ;;
	-q) quick=1; shift ;;
	-R) sched_rr=1; shift ;;
	*) echo "usage: bench/mdc-bench.sh [-n \"SIZES\"] [-r ROUNDS] [-q] [-R] [-B OTHER_BUILD [-A ALTERNATIONS]]" >&2; exit 2 ;;
	esac
done
if [ -n "$other" ] && { [ ! -x "$other/bench/mdcbench" ] ||
	[ ! -x "$other/daemons/mdcommd/mdcctl" ]; }; then
	echo "mdc-bench: $other is not a build tree (run scripts/build.sh in it)" >&2
	exit 1
fi
mdcbench=$OBAN_BUILDDIR/bench/mdcbench
[ -x "$mdcbench" ] || { echo "mdc-bench: build first (scripts/build.sh)" >&2; exit 1; }

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
die() { echo "mdc-bench: $*" >&2; exit 1; }
val() { sed -n "s/^$1=//p"; }

# setup N: mdcommd on every node, set "bench" on all of them, all joined.
setup()
{
	local n=$1 k nl="" hosts="" i
	for ((k = 1; k <= n; k++)); do
		nl+="$k node$k 10.99.0.$k"$'\n'
		hosts+=" node$k"
	done
	for i in 1 2 3 4 5 6; do truncate -s 64M "$dir/shared/d$i"; done
	dd if=/dev/zero of="$dir/shared/dwprobe" bs=64k count=1 status=none || return 1
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
	# shellcheck disable=SC2086
	ocl exec 1 metaset -s bench -M -a -h $hosts >/dev/null &&
		ocl exec 1 metaset -s bench -a "$dir/shared/d1" >/dev/null || return 1
	# shellcheck disable=SC2086
	ocl exec 1 metaset -s bench3 -M -a -h $hosts >/dev/null &&
		ocl exec 1 metaset -s bench3 -a "$dir/shared/d4" "$dir/shared/d5" "$dir/shared/d6" >/dev/null || return 1
	for ((k = 1; k <= n; k++)); do
		ocl exec $k metaset -s bench -j || return 1
		ocl exec $k metaset -s bench3 -j || return 1
	done
}

# restart_daemons N BUILD [PREFIX...] - mdcommd of BUILD on every node, all
# members; PREFIX (e.g. chrt -r 1) runs it through another program.
restart_daemons()
{
	local n=$1 b=$2 k i
	shift 2
	for ((k = 1; k <= n; k++)); do
		ocl stop $k mdcommd --timeout 10 >/dev/null 2>&1
	done
	for ((k = 1; k <= n; k++)); do
		ocl spawn $k mdcommd "$@" "$b/daemons/mdcommd/mdcommd" || return 1
	done
	for ((k = 1; k <= n; k++)); do
		for ((i = 0; i < 300; i++)); do
			ocl exec $k "$b/daemons/mdcommd/mdcctl" status 2>/dev/null |
				grep -q ", $n members" && break
			sleep 0.2
		done
	done
}

# sched_rr_experiment N PINGPONG - the three round trips with every
# mdcommd under chrt -r 1, then the daemons back to normal.
sched_rr_experiment()
{
	local n=$1 p=$2 rl ru r3 rc=0
	if ! ocl exec 1 chrt -r 1 true >/dev/null 2>&1; then
		echo "nodes=$n sched_rr_experiment skipped: chrt -r 1 refused here" >&2
		return 0
	fi
	if restart_daemons "$n" "$OBAN_BUILDDIR" chrt -r 1 &&
		rl=$(ocl exec 2 "$mdcbench" rtt -s "$setno" -t TEST2 -f 0 -n "$rounds" -T 60 | val mdc_rtt_us_median) &&
		ru=$(ocl exec 2 "$mdcbench" rtt -s "$setno" -t TEST2 -f 1 -n "$rounds" -T 60 | val mdc_rtt_us_median) &&
		r3=$(ocl exec 2 "$mdcbench" rtt -s "$setno3" -t TEST2 -f 0 -n "$rounds" -T 60 | val mdc_rtt_us_median) &&
		[ -n "$rl" ] && [ -n "$ru" ] && [ -n "$r3" ]; then
		echo "nodes=$n sched_rr_experiment logged_us_median=$rl nolog_us_median=$ru logged_3rep_us_median=$r3 ratio_logged_to_cpg_pingpong=$(awk "BEGIN{printf \"%.1f\", $rl/$p}") ratio_nolog_to_cpg_pingpong=$(awk "BEGIN{printf \"%.1f\", $ru/$p}") (every mdcommd under chrt -r 1: not the default)"
	else
		rc=1
	fi
	restart_daemons "$n" "$OBAN_BUILDDIR" || die "daemons back to normal"
	return $rc
}

# compare N - the round trips with this build and with $other, alternately.
compare()
{
	local n=$1 a b tag tags pp lg nl
	for ((a = 1; a <= alts; a++)); do
		pp=$(cpg_baseline "$dir" 2 -r "$rounds" -s 20 -b 2 -p 5 -P 1 | val cpg_pingpong_us_median) ||
			return 1
		echo "nodes=$n round=$a cpg_pingpong_us_median=$pp"
		tags="this other" # A B, then B A: no build always goes first
		[ $((a % 2)) = 0 ] && tags="other this"
		for tag in $tags; do
			b=$OBAN_BUILDDIR
			[ "$tag" = other ] && b=$other
			restart_daemons "$n" "$b" || return 1
			lg=$(ocl exec 2 "$b/bench/mdcbench" rtt -s "$setno" -t TEST2 -f 0 -n "$rounds" -T 60) ||
				return 1
			nl=$(ocl exec 2 "$b/bench/mdcbench" rtt -s "$setno" -t TEST2 -f 1 -n "$rounds" -T 60) ||
				return 1
			l3=$(ocl exec 2 "$b/bench/mdcbench" rtt -s "$setno3" -t TEST2 -f 0 -n "$rounds" -T 60) ||
				return 1
			echo "nodes=$n round=$a build=$tag ($b) logged_us_median=$(echo "$lg" | val mdc_rtt_us_median) p99=$(echo "$lg" | val mdc_rtt_us_p99) nolog_us_median=$(echo "$nl" | val mdc_rtt_us_median) p99=$(echo "$nl" | val mdc_rtt_us_p99) logged_3rep_us_median=$(echo "$l3" | val mdc_rtt_us_median) p99=$(echo "$l3" | val mdc_rtt_us_p99)"
		done
	done
	restart_daemons "$n" "$OBAN_BUILDDIR"
}

# metainit_lat SET NODE DRIVE - 10 timed metainits (each metacleared).
metainit_lat()
{
	local set=$1 node=$2 drive=$3 i t0 t1 all=()
	for ((i = 0; i < 10; i++)); do
		t0=$(date +%s%N)
		ocl exec "$node" metainit -s "$set" d10 1 1 "$drive" >/dev/null || return 1
		t1=$(date +%s%N)
		all+=($(((t1 - t0) / 1000)))
		ocl exec "$node" metaclear -s "$set" d10 >/dev/null || return 1
	done
	printf '%s\n' "${all[@]}" | sort -n | sed -n 5p # median of 10 (5th)
}

# exec_lat NODE - median of 10 `ocluster exec NODE true`: the fixed cost
# inside every metainit figure.
exec_lat()
{
	local i t0 t1 all=()
	for ((i = 0; i < 10; i++)); do
		t0=$(date +%s%N)
		ocl exec "$1" true || return 1
		t1=$(date +%s%N)
		all+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${all[@]}" | sort -n | sed -n 5p
}

for n in $sizes; do
	echo "mdc-bench: $n nodes; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	dir=$("$ocl_bin" up -n "$n" --owner $$) || die "up -n $n"
	setup "$n" || die "setup on $n nodes"
	setno=$(ocl exec 2 metaset -s bench | sed -n 's/.*Set number = \([0-9]*\).*/\1/p')
	[ -n "$setno" ] || die "no set number"
	setno3=$(ocl exec 2 metaset -s bench3 | sed -n 's/.*Set number = \([0-9]*\).*/\1/p')
	[ -n "$setno3" ] || die "no set number for bench3"
	cpg=$(cpg_baseline "$dir" 2 -r "$rounds" -s 200 -b 2 -p 5 -P 1) || die "cpg baseline"
	logged=$(ocl exec 2 "$mdcbench" rtt -s "$setno" -t TEST2 -f 0 -n "$rounds" -T 60) ||
		die "logged TEST2"
	nolog=$(ocl exec 2 "$mdcbench" rtt -s "$setno" -t TEST2 -f 1 -n "$rounds" -T 60) ||
		die "NO_LOG TEST2"
	logged3=$(ocl exec 2 "$mdcbench" rtt -s "$setno3" -t TEST2 -f 0 -n "$rounds" -T 60) ||
		die "logged TEST2 on the 3-replica set"
	rpc=$(ocl exec 2 "$mdcbench" rpc -n "$rounds" -T 60) || die "rpc"
	dw=$(ocl exec 1 "$mdcbench" dwrite -p "$dir/shared/dwprobe" -n "$rounds" -T 60) ||
		die "dwrite"
	# The load outlasts dwrite's four timings of up to $dwt s each
	# (pwrite+fdatasync, dsync, 3seq, 3ring), with a second to spare
	# either side; checked to be still running when dwrite is done.
	dwt=5
	ocl exec 2 "$mdcbench" rtt -s "$setno" -t TEST2 -f 1 -n 100000 -T $((4 * dwt + 2)) >/dev/null &
	bg=$!
	sleep 1
	dwl=$(ocl exec 1 "$mdcbench" dwrite -p "$dir/shared/dwprobe" -n "$rounds" -T "$dwt") ||
		die "dwrite under load"
	kill -0 "$bg" 2>/dev/null ||
		echo "mdc-bench: the NO_LOG load ended before dwrite under load did: its figures are partly unloaded" >&2
	wait "$bg" || die "NO_LOG load beside dwrite"
	c=$(echo "$cpg" | val cpg_rtt_us_median)
	p=$(echo "$cpg" | val cpg_pingpong_us_median)
	l=$(echo "$logged" | val mdc_rtt_us_median)
	u=$(echo "$nolog" | val mdc_rtt_us_median)
	echo "nodes=$n cpg_pingpong_us_median=$p cpg_pingpong_us_p99=$(echo "$cpg" | val cpg_pingpong_us_p99) pong_node=$(echo "$cpg" | val cpg_pingpong_node)"
	echo "nodes=$n cpg_oneway_us_median=$c cpg_oneway_us_p99=$(echo "$cpg" | val cpg_rtt_us_p99)"
	echo "nodes=$n logged_test2_rtt_us_median=$l p99=$(echo "$logged" | val mdc_rtt_us_p99) count=$(echo "$logged" | val mdc_rtt_count)"
	echo "nodes=$n nolog_test2_rtt_us_median=$u p99=$(echo "$nolog" | val mdc_rtt_us_p99) count=$(echo "$nolog" | val mdc_rtt_count)"
	l3=$(echo "$logged3" | val mdc_rtt_us_median)
	echo "nodes=$n logged_3rep_test2_rtt_us_median=$l3 p99=$(echo "$logged3" | val mdc_rtt_us_p99) count=$(echo "$logged3" | val mdc_rtt_count)"
	echo "nodes=$n ratio_logged_to_cpg_pingpong=$(awk "BEGIN{printf \"%.1f\", $l/$p}") ratio_nolog_to_cpg_pingpong=$(awk "BEGIN{printf \"%.1f\", $u/$p}") ratio_logged_3rep_to_cpg_pingpong=$(awk "BEGIN{printf \"%.1f\", $l3/$p}")"
	echo "nodes=$n rpc_us_median=$(echo "$rpc" | val mdc_rpc_us_median) rpc_us_p99=$(echo "$rpc" | val mdc_rpc_us_p99)"
	echo "nodes=$n dwrite_us_median=$(echo "$dw" | val mdc_dwrite_us_median) dwrite_us_p99=$(echo "$dw" | val mdc_dwrite_us_p99) (pwrite $(echo "$dw" | val mdc_dwrite_pwrite_us_median), fdatasync $(echo "$dw" | val mdc_dwrite_fdatasync_us_median))"
	echo "nodes=$n dwrite_dsync_us_median=$(echo "$dw" | val mdc_dwrite_dsync_us_median) dwrite_3seq_us_median=$(echo "$dw" | val mdc_dwrite_3seq_us_median) dwrite_3ring_us_median=$(echo "$dw" | val mdc_dwrite_3ring_us_median) (one pwritev2 RWF_DSYNC; three in turn; three at once through io_uring) direct=$(echo "$dw" | val mdc_dwrite_dev_direct) dsync=$(echo "$dw" | val mdc_dwrite_dev_dsync) ring=$(echo "$dw" | val mdc_dwrite_3ring_ring)"
	echo "nodes=$n dwrite_under_load_us_median=$(echo "$dwl" | val mdc_dwrite_us_median) dwrite_under_load_us_p99=$(echo "$dwl" | val mdc_dwrite_us_p99) (pwrite $(echo "$dwl" | val mdc_dwrite_pwrite_us_median), fdatasync $(echo "$dwl" | val mdc_dwrite_fdatasync_us_median))"
	echo "nodes=$n dwrite_under_load_dsync_us_median=$(echo "$dwl" | val mdc_dwrite_dsync_us_median) dwrite_under_load_3ring_us_median=$(echo "$dwl" | val mdc_dwrite_3ring_us_median) ring=$(echo "$dwl" | val mdc_dwrite_3ring_ring)"
	echo "nodes=$n logged_minus_nolog_us=$((l - u)) two_dwrites_us=$(($(echo "$dw" | val mdc_dwrite_us_median) * 2)) two_dwrites_under_load_us=$(($(echo "$dwl" | val mdc_dwrite_us_median) * 2))"
	echo "nodes=$n ratio_logged_to_cpg_oneway=$(awk "BEGIN{printf \"%.1f\", $l/$c}") ratio_nolog_to_cpg_oneway=$(awk "BEGIN{printf \"%.1f\", $u/$c}")"
	# An experiment beside the figures, only with -R: every mdcommd run
	# SCHED_RR priority 1 (below corosync's), so that a daemon woken by a
	# delivery or by its I/O does not wait behind ordinary processes.
	# Skipped where chrt -r 1 is refused; a failure of it is reported and
	# the run goes on with the daemons restarted as usual.
	if [ "$sched_rr" = 1 ]; then
		sched_rr_experiment "$n" "$p" ||
			echo "nodes=$n sched_rr_experiment failed: skipped" >&2
	fi
	if [ "$n" = 3 ] && [ "$quick" = 0 ]; then
		ocl exec 1 metaset -s one -M -a -h node1 >/dev/null &&
			ocl exec 1 metaset -s one -a "$dir/shared/d2" >/dev/null &&
			ocl exec 1 metaset -s one -j || die "1-node set"
		m3=$(metainit_lat bench 3 "$dir/shared/d1") || die "metainit on the 3-node set"
		m1=$(metainit_lat one 1 "$dir/shared/d2") || die "metainit on the 1-node set"
		x=$(exec_lat 1) || die "exec"
		echo "nodes=3 metainit_3node_set_us_median=$m3 metainit_1node_set_us_median=$m1 ratio=$(awk "BEGIN{printf \"%.2f\", $m3/$m1}")"
		echo "nodes=3 ocluster_exec_us_median=$x ratio_without_exec=$(awk "BEGIN{printf \"%.2f\", ($m3-$x)/($m1-$x)}")"
		ocl exec 2 "$mdcbench" mix -s "$setno" -f 0 -n 100000 -T 10 |
			sed "s/^mdc_mix/nodes=3 logged_mix/" || die "logged mix"
		ocl exec 2 "$mdcbench" mix -s "$setno" -f 1 -n 100000 -T 10 |
			sed "s/^mdc_mix/nodes=3 nolog_mix/" || die "NO_LOG mix"
	fi
	if [ -n "$other" ]; then
		compare "$n" || die "comparison with $other"
	fi
	teardown
done
