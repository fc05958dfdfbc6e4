#!/usr/bin/env bash
# bench/mdc-bench.sh: mdcommd's message figures on the test cluster, each
# beside the raw CPG baseline (bench/cpgprobe) measured in the same run on
# the same cluster (doc/bench.md).
#
#   bench/mdc-bench.sh                 2, 3, 4 and 5 nodes
#   bench/mdc-bench.sh -n "3"          only 3 nodes
#   bench/mdc-bench.sh -k 5            rounds of the main figures (default 5)
#   bench/mdc-bench.sh -r 300          round trips per figure and round
#                                      (default 300)
#   bench/mdc-bench.sh -B DIR          also compare with another build
#   bench/mdc-bench.sh -q              no metainit and all-classes figures
#   bench/mdc-bench.sh -R              also the ordinary-scheduling experiment
#   bench/mdc-bench.sh -t DIR          also trace every message's steps into
#                                      DIR and print the breakdown at the end
#
# -t DIR (created if need be; a directory "nodesN" in it for each size N,
# which must not hold a former run's files): runtime.cf's commd_trace_dir
# is set on every node before the daemons start, and mdcbench rtt runs with
# -D (include/oban/mdc_trace.h); at the end, bench/mdc-trace.py prints each
# size's per-step table, one run of it for each mdcbench rtt (doc/bench.md
# "Tracing one message's steps").  Tracing costs a little on every step:
# figures measured with -t are for the breakdown, not for the goals.  The
# breakdown assumes one master (node 1) and one initiator (node 2) a
# directory: with -R or -B the restarted daemons write there too.
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
# node 2 (a slave), the main figures in -k rounds; each round, back to
# back on the same cluster:
#   - the raw CPG figures (cpgprobe, sender node 2, -r of each; its pipe
#     phases kept tiny): the ping-pong round trip through node 1 (PING
#     from node 2, PONG from node 1, timed until node 2 delivers the PONG:
#     there and back, as a message to the master and its answer), and the
#     one-way ordered delivery (cpgprobe's "rtt": a multicast until the
#     sender's own delivery, one ordered pass);
#   - a null logged message round trip: TEST2 without NO_LOG (the master
#     writes and clears its change-log slot), and the same with NO_LOG;
#     mdcbench rtt (bench/mdcbench.c), -r of each, run with the probe's
#     scheduling (the two client processes in the same class);
#   - the logged round trip on a second set, "bench3", with three drives
#     and so three replicas (a slot write and a clear on each);
#   and prints a line "nodes=N round=K/ROUNDS" with the round's figures
#   and their ratios to that round's ping-pong.  Then a line "nodes=N
#   summary": the median over the rounds of each figure, and the median,
#   min and max over the rounds of each ratio (ratio_X is the median,
#   ratio_X_min and ratio_X_max beside it), and a line "nodes=N
#   summary_p99": the median over the rounds of each round's p99.  The
#   machine's speed drifts from minute to minute; a ratio within a round
#   sees one minute's, and the rounds show how far it moves.
# Then, measured once:
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
#     and on three replicas now), and three plain writes (no flush, as the
#     master's change-log clear on three replicas) in turn and at once;
#   - with -R only, an experiment, clearly labelled: every mdcommd
#     restarted with ordinary scheduling (commd_rt_priority 0 in
#     runtime.cf), the ping-pong (the probe and mdcbench with ordinary
#     scheduling too) and the three round trips measured once so, then the daemons
#     restarted as configured (its failure does not end the run);
# and at 3 nodes also:
#   - metainit latency: `metainit d10 1 1 DRIVE` from node 3 on the 3-node
#     set, against the same on a 1-node multi-owner set (host node1 only,
#     from node 1), each followed by an untimed metaclear, 10 times each;
#   - every class busy at once: mdcbench mix (TEST1..TEST5, one thread per
#     class) from node 2 for 10 s, logged, then with NO_LOG.
# After every size, a line "flatness sizes=...": for logged and NO_LOG,
# the largest median ratio to the ping-pong over the sizes divided by the
# smallest (printed only when two sizes or more were measured).
# Prints key=value lines and ratios; asserts nothing; every loop is bounded
# by a count and the tools' own time limits.  The cluster is torn down
# whatever happens.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lib-cluster.sh
cluster_prog=mdc-bench
# shellcheck source=bench/lib-cluster.sh
. "$here/lib-cluster.sh"
# shellcheck source=bench/cpg-baseline.sh
. "$here/cpg-baseline.sh"
sizes="2 3 4 5"
count=300
nrounds=5
other=""
alts=2
quick=0
sched_rr=0
tdir=""
while [ $# -gt 0 ]; do
	case $1 in
	-n) sizes=$2; shift 2 ;;
	-r) count=$2; shift 2 ;;
	-k) nrounds=$2; shift 2 ;;
	-B) other=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	-A) alts=$2; shift 2 ;;
	-q) quick=1; shift ;;
	-R) sched_rr=1; shift ;;
	-t) tdir=$2; shift 2 ;;
	*) echo "usage: bench/mdc-bench.sh [-n \"SIZES\"] [-k ROUNDS] [-r COUNT] [-q] [-R] [-B OTHER_BUILD [-A ALTERNATIONS]] [-t TRACE_DIR]" >&2
	   echo "       (figures with -t are for the per-step breakdown, not for the goals: tracing costs a little)" >&2
	   exit 2 ;;
	esac
done
if [ -n "$other" ] && { [ ! -x "$other/bench/mdcbench" ] ||
	[ ! -x "$other/daemons/mdcommd/mdcctl" ]; }; then
	echo "mdc-bench: $other is not a build tree (run scripts/build.sh in it)" >&2
	exit 1
fi
case $count$nrounds in
*[!0-9]*) echo "mdc-bench: -r and -k take whole numbers" >&2; exit 2 ;;
esac
if [ -z "$count" ] || [ -z "$nrounds" ] || [ "$count" -lt 1 ] ||
	[ "$nrounds" -lt 1 ] || [ "$nrounds" -gt 100 ]; then
	echo "mdc-bench: -r is at least 1, -k 1 to 100" >&2
	exit 2
fi
mdcbench=$OBAN_BUILDDIR/bench/mdcbench
[ -x "$mdcbench" ] || { echo "mdc-bench: build first (scripts/build.sh)" >&2; exit 1; }
# The trace directory, absolute (the daemons write into it); one
# directory a size, empty: the analysis takes every file in it.
tcur=""
if [ -n "$tdir" ]; then
	command -v python3 >/dev/null ||
		{ echo "mdc-bench: -t needs python3 (bench/mdc-trace.py)" >&2; exit 1; }
	if ! mkdir -p "$tdir" || ! tdir=$(cd "$tdir" && pwd); then
		echo "mdc-bench: cannot create the trace directory '$tdir'" >&2
		exit 1
	fi
	for n in $sizes; do
		if [ -e "$tdir/nodes$n" ] && [ -n "$(ls -A "$tdir/nodes$n")" ]; then
			echo "mdc-bench: '$tdir/nodes$n' holds a former run's traces: give another directory" >&2
			exit 1
		fi
	done
fi

val() { sed -n "s/^$1=//p"; }
# rtt BUILD SET FLAGS - $count TEST2 round trips from node 2 on SET
# (a set number) with BUILD's mdcbench; FLAGS 0 logged, 1 NO_LOG.  The
# initiator runs with the probe's scheduling (CPG_PROBE_PREFIX): each
# client process, the probe and mdcbench, in the same class.
# With -t, this build's mdcbench traces into the size's directory ($tcur).
# shellcheck disable=SC2086 # the prefix is words
rtt()
{
	local topt=()
	[ -n "$tcur" ] && [ "$1" = "$OBAN_BUILDDIR" ] && topt=(-D "$tcur")
	ocl exec 2 ${CPG_PROBE_PREFIX:-} "$1/bench/mdcbench" rtt -s "$2" -t TEST2 -f "$3" -n "$count" -T 60 "${topt[@]}"
}

# setup N: mdcommd on every node, sets "bench" (one drive) and "bench3"
# (three) on all of them, all joined.
setup()
{
	local n=$1 i
	for i in 1 2 3 4 5 6; do truncate -s 64M "$dir/shared/d$i"; done
	dd if=/dev/zero of="$dir/shared/dwprobe" bs=64k count=1 status=none || return 1
	cluster_start "$n" || return 1
	cluster_mkset "$n" bench "$dir/shared/d1" || return 1
	cluster_mkset "$n" bench3 "$dir/shared/d4" "$dir/shared/d5" "$dir/shared/d6" ||
		return 1
	cluster_join "$n" bench bench3
}

# restart_daemons N BUILD [PREFIX...] - mdcommd of BUILD on every node, all
# members; PREFIX (e.g. chrt -r 1) runs it through another program.
restart_daemons()
{
	local n=$1 b=$2 k
	shift 2
	for ((k = 1; k <= n; k++)); do
		ocl stop $k mdcommd --timeout 10 >/dev/null 2>&1
	done
	for ((k = 1; k <= n; k++)); do
		cluster_spawn "$k" "$b" "$@" || return 1
	done
	cluster_wait_members "$n" "$b"
}

# rt_priority K - the scheduling of node K's mdcommd: "rr:PRIO" or "other"
# (fields 40 and 41 of /proc/PID/stat; its pid from ocluster's pidfile).
rt_priority()
{
	local pid f
	pid=$(cut -d' ' -f1 "$dir/node$1/pids/mdcommd.pid" 2>/dev/null) || return 1
	f=$(cut -d' ' -f40,41 "/proc/$pid/stat" 2>/dev/null) || return 1
	case $f in
	*" 2") echo "rr:${f% *}" ;;
	*" 0") echo other ;;
	*) echo "policy:$f" ;;
	esac
}

# set_rt_key N VALUE - commd_rt_priority VALUE in every node's runtime.cf
# ("" removes the line: the default).
set_rt_key()
{
	local n=$1 v=$2 k
	for ((k = 1; k <= n; k++)); do
		ocl exec "$k" sed -i '/^commd_rt_priority/d' /etc/oban/runtime.cf || return 1
		if [ -n "$v" ]; then
			ocl exec "$k" sh -c "echo 'commd_rt_priority $v' >> /etc/oban/runtime.cf" || return 1
		fi
	done
}

# sched_other_experiment N - every mdcommd with ordinary scheduling
# (commd_rt_priority 0), the probe and mdcbench too: the ping-pong and the three round
# trips once; then the daemons as configured again.
sched_other_experiment()
{
	local n=$1 p rl ru r3 rc=0
	if set_rt_key "$n" 0 && restart_daemons "$n" "$OBAN_BUILDDIR" &&
		p=$(CPG_PROBE_PREFIX="" cpg_baseline "$dir" 2 -r "$count" -s 20 -b 2 -p 5 -P 1 | val cpg_pingpong_us_median) &&
		rl=$(CPG_PROBE_PREFIX="" rtt "$OBAN_BUILDDIR" "$setno" 0 | val mdc_rtt_us_median) &&
		ru=$(CPG_PROBE_PREFIX="" rtt "$OBAN_BUILDDIR" "$setno" 1 | val mdc_rtt_us_median) &&
		r3=$(CPG_PROBE_PREFIX="" rtt "$OBAN_BUILDDIR" "$setno3" 0 | val mdc_rtt_us_median) &&
		[ -n "$p" ] && [ -n "$rl" ] && [ -n "$ru" ] && [ -n "$r3" ]; then
		echo "nodes=$n sched_other_experiment daemon_sched=$(rt_priority 1) cpg_pingpong_us_median=$p logged_us_median=$rl nolog_us_median=$ru logged_3rep_us_median=$r3 ratio_logged_to_cpg_pingpong=$(f2 "$(ratio "$rl" "$p")") ratio_nolog_to_cpg_pingpong=$(f2 "$(ratio "$ru" "$p")") (every mdcommd, the probe and mdcbench with ordinary scheduling: not the default)"
	else
		rc=1
	fi
	{ set_rt_key "$n" "" && restart_daemons "$n" "$OBAN_BUILDDIR"; } ||
		die "daemons back to their configured scheduling"
	return $rc
}

# compare N - the round trips with this build and with $other, alternately.
compare()
{
	local n=$1 a b tag tags pp lg nl
	for ((a = 1; a <= alts; a++)); do
		pp=$(cpg_baseline "$dir" 2 -r "$count" -s 20 -b 2 -p 5 -P 1 | val cpg_pingpong_us_median) ||
			return 1
		echo "nodes=$n round=$a cpg_pingpong_us_median=$pp"
		tags="this other" # A B, then B A: no build always goes first
		[ $((a % 2)) = 0 ] && tags="other this"
		for tag in $tags; do
			b=$OBAN_BUILDDIR
			[ "$tag" = other ] && b=$other
			restart_daemons "$n" "$b" || return 1
			lg=$(rtt "$b" "$setno" 0) ||
				return 1
			nl=$(rtt "$b" "$setno" 1) ||
				return 1
			l3=$(rtt "$b" "$setno3" 0) ||
				return 1
			echo "nodes=$n round=$a build=$tag ($b) logged_us_median=$(echo "$lg" | val mdc_rtt_us_median) p99=$(echo "$lg" | val mdc_rtt_us_p99) nolog_us_median=$(echo "$nl" | val mdc_rtt_us_median) p99=$(echo "$nl" | val mdc_rtt_us_p99) logged_3rep_us_median=$(echo "$l3" | val mdc_rtt_us_median) p99=$(echo "$l3" | val mdc_rtt_us_p99)"
		done
	done
	restart_daemons "$n" "$OBAN_BUILDDIR"
}

# stats V... - "median min max" of the numbers V (the median of an even
# count is the mean of the middle two).
stats()
{
	printf '%s\n' "$@" | LC_ALL=C sort -g | LC_ALL=C awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.10g %.10g %.10g\n", m, v[1], v[NR] }'
}
med() { stats "$@" | cut -d' ' -f1; }
# f1, f2 X - X with one or two decimals; ratio A B - A/B to four decimals
f1() { LC_ALL=C awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
f2() { LC_ALL=C awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
ratio() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
# rstats NAME V... - NAME=median NAME_min=min NAME_max=max, two decimals
rstats()
{
	local name=$1 m lo hi
	shift
	read -r m lo hi < <(stats "$@")
	echo "$name=$(f2 "$m") ${name}_min=$(f2 "$lo") ${name}_max=$(f2 "$hi")"
}

# main_rounds N - the main figures in $nrounds rounds on the running
# cluster; each round, back to back: the CPG ping-pong and one-way (the
# pipe phases kept tiny), then the logged, NO_LOG and 3-replica logged
# round trips, $count of each; a line per round, then the summary lines
# (medians over the rounds).  Sets l, u, p (the medians of the logged and
# NO_LOG round trips and of the ping-pong), r_lo and r_uo (the rounds'
# ratios to the one-way delivery) and adds this size's median ratios to
# flat_*.
main_rounds()
{
	local n=$1 k k3 cpg lg nl l3 pp pp99 ow ow99 lm um l3m rl ru rl3 pong=""
	local a_pp=() a_pp99=() a_ow=() a_ow99=() a_l=() a_l99=() a_u=()
	local a_u99=() a_l3=() a_l399=() r_l=() r_u=() r_l3=() c_l=0 c_u=0 c_l3=0
	r_lo=() r_uo=()
	for ((k = 1; k <= nrounds; k++)); do
		cpg=$(cpg_baseline "$dir" 2 -r "$count" -s 20 -b 2 -p 5 -P 1) ||
			{ echo "mdc-bench: cpg baseline, round $k" >&2; return 1; }
		lg=$(rtt "$OBAN_BUILDDIR" "$setno" 0) ||
			{ echo "mdc-bench: logged TEST2, round $k" >&2; return 1; }
		nl=$(rtt "$OBAN_BUILDDIR" "$setno" 1) ||
			{ echo "mdc-bench: NO_LOG TEST2, round $k" >&2; return 1; }
		l3=$(rtt "$OBAN_BUILDDIR" "$setno3" 0) ||
			{ echo "mdc-bench: logged TEST2 on the 3-replica set, round $k" >&2; return 1; }
		pp=$(echo "$cpg" | val cpg_pingpong_us_median)
		pp99=$(echo "$cpg" | val cpg_pingpong_us_p99)
		ow=$(echo "$cpg" | val cpg_rtt_us_median)
		ow99=$(echo "$cpg" | val cpg_rtt_us_p99)
		pong=$(echo "$cpg" | val cpg_pingpong_node)
		lm=$(echo "$lg" | val mdc_rtt_us_median)
		um=$(echo "$nl" | val mdc_rtt_us_median)
		l3m=$(echo "$l3" | val mdc_rtt_us_median)
		if [ -z "$pp" ] || [ -z "$ow" ] || [ -z "$lm" ] || [ -z "$um" ] ||
			[ -z "$l3m" ]; then
			echo "mdc-bench: a figure missing in round $k" >&2
			return 1
		fi
		rl=$(ratio "$lm" "$pp")
		ru=$(ratio "$um" "$pp")
		rl3=$(ratio "$l3m" "$pp")
		a_pp+=("$pp") a_pp99+=("$pp99") a_ow+=("$ow") a_ow99+=("$ow99")
		a_l+=("$lm") a_l99+=("$(echo "$lg" | val mdc_rtt_us_p99)")
		a_u+=("$um") a_u99+=("$(echo "$nl" | val mdc_rtt_us_p99)")
		a_l3+=("$l3m") a_l399+=("$(echo "$l3" | val mdc_rtt_us_p99)")
		r_l+=("$rl") r_u+=("$ru") r_l3+=("$rl3")
		r_lo+=("$(ratio "$lm" "$ow")") r_uo+=("$(ratio "$um" "$ow")")
		k3=$(echo "$lg" | val mdc_rtt_count)
		c_l=$((c_l + ${k3:-0}))
		k3=$(echo "$nl" | val mdc_rtt_count)
		c_u=$((c_u + ${k3:-0}))
		k3=$(echo "$l3" | val mdc_rtt_count)
		c_l3=$((c_l3 + ${k3:-0}))
		echo "nodes=$n round=$k/$nrounds cpg_pingpong_us_median=$pp cpg_pingpong_us_p99=$pp99 cpg_oneway_us_median=$ow logged_us_median=$lm logged_us_p99=${a_l99[-1]} nolog_us_median=$um nolog_us_p99=${a_u99[-1]} logged_3rep_us_median=$l3m logged_3rep_us_p99=${a_l399[-1]} ratio_logged_to_cpg_pingpong=$(f2 "$rl") ratio_nolog_to_cpg_pingpong=$(f2 "$ru") ratio_logged_3rep_to_cpg_pingpong=$(f2 "$rl3") load=$(cut -d' ' -f1 /proc/loadavg)"
	done
	p=$(med "${a_pp[@]}")
	l=$(med "${a_l[@]}")
	u=$(med "${a_u[@]}")
	echo "nodes=$n summary rounds=$nrounds count_per_round=$count cpg_pingpong_us_median=$p cpg_oneway_us_median=$(med "${a_ow[@]}") logged_test2_rtt_us_median=$l nolog_test2_rtt_us_median=$u logged_3rep_test2_rtt_us_median=$(med "${a_l3[@]}") $(rstats ratio_logged_to_cpg_pingpong "${r_l[@]}") $(rstats ratio_nolog_to_cpg_pingpong "${r_u[@]}") $(rstats ratio_logged_3rep_to_cpg_pingpong "${r_l3[@]}")"
	echo "nodes=$n summary_p99 cpg_pingpong_us_p99=$(med "${a_pp99[@]}") cpg_oneway_us_p99=$(med "${a_ow99[@]}") logged_test2_rtt_us_p99=$(med "${a_l99[@]}") nolog_test2_rtt_us_p99=$(med "${a_u99[@]}") logged_3rep_test2_rtt_us_p99=$(med "${a_l399[@]}") logged_count=$c_l nolog_count=$c_u logged_3rep_count=$c_l3 pong_node=$pong"
	flat_sizes+=("$n")
	flat_l+=("$(med "${r_l[@]}")")
	flat_u+=("$(med "${r_u[@]}")")
}

# flat NAME V... - NAME_max_over_min=largest/smallest of the median
# ratios V (one a size), then the ratios themselves in brackets.
flat()
{
	local name=$1 lo hi v all=""
	shift
	read -r _ lo hi < <(stats "$@")
	for v in "$@"; do
		all+=" $(f2 "$v")"
	done
	echo "${name}_max_over_min=$(f2 "$(ratio "$hi" "$lo")") (median ratios${all})"
}

# flatness - the flatness line over the sizes measured (two or more).
flatness()
{
	if [ ${#flat_sizes[@]} -lt 2 ]; then
		echo "mdc-bench: one size measured: no flatness line" >&2
		return 0
	fi
	echo "flatness sizes=$(IFS=,; echo "${flat_sizes[*]}") $(flat ratio_logged "${flat_l[@]}") $(flat ratio_nolog "${flat_u[@]}")"
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

flat_sizes=() flat_l=() flat_u=() r_lo=() r_uo=() l="" u="" p=""
for n in $sizes; do
	echo "mdc-bench: $n nodes; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	if [ -n "$tdir" ]; then
		tcur=$tdir/nodes$n
		mkdir -p "$tcur" || die "cannot create '$tcur'"
		# shellcheck disable=SC2034 # read by lib-cluster.sh
		cluster_runtime_extra="commd_trace_dir $tcur"
		echo "nodes=$n trace_dir=$tcur (figures traced: for the breakdown, not for the goals)"
	fi
	cluster_up "$n" || die "up -n $n"
	setup "$n" || die "setup on $n nodes"
	setno=$(cluster_setno 2 bench)
	[ -n "$setno" ] || die "no set number"
	setno3=$(cluster_setno 2 bench3)
	[ -n "$setno3" ] || die "no set number for bench3"
	# The probe runs at the daemons' own scheduling (mdcommd: SCHED_RR 1
	# unless runtime.cf or the machine says otherwise): a fair baseline.
	sched=$(rt_priority 1) || die "the scheduling of node 1's mdcommd"
	case $sched in
	rr:*) export CPG_PROBE_PREFIX="chrt -r ${sched#rr:}" ;;
	*) export CPG_PROBE_PREFIX="" ;;
	esac
	echo "nodes=$n daemon_sched=$sched probe_sched=$sched client_sched=$sched"
	main_rounds "$n" || die "main figures on $n nodes"
	rpc=$(ocl exec 2 "$mdcbench" rpc -n "$count" -T 60) || die "rpc"
	dw=$(ocl exec 1 "$mdcbench" dwrite -p "$dir/shared/dwprobe" -n "$count" -T 60) ||
		die "dwrite"
	# The load outlasts dwrite's six timings of up to $dwt s each
	# (pwrite+fdatasync, dsync, 3seq, 3ring, 3plain_seq, 3plain_ring),
	# with a second to spare either side; checked to be still running when dwrite is done.
	dwt=5
	ocl exec 2 "$mdcbench" rtt -s "$setno" -t TEST2 -f 1 -n 100000 -T $((6 * dwt + 2)) >/dev/null &
	bg=$!
	sleep 1
	dwl=$(ocl exec 1 "$mdcbench" dwrite -p "$dir/shared/dwprobe" -n "$count" -T "$dwt") ||
		die "dwrite under load"
	kill -0 "$bg" 2>/dev/null ||
		echo "mdc-bench: the NO_LOG load ended before dwrite under load did: its figures are partly unloaded" >&2
	wait "$bg" || die "NO_LOG load beside dwrite"
	echo "nodes=$n rpc_us_median=$(echo "$rpc" | val mdc_rpc_us_median) rpc_us_p99=$(echo "$rpc" | val mdc_rpc_us_p99)"
	echo "nodes=$n dwrite_us_median=$(echo "$dw" | val mdc_dwrite_us_median) dwrite_us_p99=$(echo "$dw" | val mdc_dwrite_us_p99) (pwrite $(echo "$dw" | val mdc_dwrite_pwrite_us_median), fdatasync $(echo "$dw" | val mdc_dwrite_fdatasync_us_median))"
	echo "nodes=$n dwrite_dsync_us_median=$(echo "$dw" | val mdc_dwrite_dsync_us_median) dwrite_3seq_us_median=$(echo "$dw" | val mdc_dwrite_3seq_us_median) dwrite_3ring_us_median=$(echo "$dw" | val mdc_dwrite_3ring_us_median) (one pwritev2 RWF_DSYNC; three in turn; three at once through io_uring) dwrite_3plain_seq_us_median=$(echo "$dw" | val mdc_dwrite_3plain_seq_us_median) dwrite_3plain_ring_us_median=$(echo "$dw" | val mdc_dwrite_3plain_ring_us_median) (three plain, as an unflushed clear: in turn; at once) direct=$(echo "$dw" | val mdc_dwrite_dev_direct) dsync=$(echo "$dw" | val mdc_dwrite_dev_dsync) ring=$(echo "$dw" | val mdc_dwrite_3ring_ring)"
	echo "nodes=$n dwrite_under_load_us_median=$(echo "$dwl" | val mdc_dwrite_us_median) dwrite_under_load_us_p99=$(echo "$dwl" | val mdc_dwrite_us_p99) (pwrite $(echo "$dwl" | val mdc_dwrite_pwrite_us_median), fdatasync $(echo "$dwl" | val mdc_dwrite_fdatasync_us_median))"
	echo "nodes=$n dwrite_under_load_dsync_us_median=$(echo "$dwl" | val mdc_dwrite_dsync_us_median) dwrite_under_load_3ring_us_median=$(echo "$dwl" | val mdc_dwrite_3ring_us_median) ring=$(echo "$dwl" | val mdc_dwrite_3ring_ring)"
	echo "nodes=$n logged_minus_nolog_us=$(awk -v l="$l" -v u="$u" 'BEGIN{printf "%.0f", l - u}') two_dwrites_us=$(($(echo "$dw" | val mdc_dwrite_us_median) * 2)) two_dwrites_under_load_us=$(($(echo "$dwl" | val mdc_dwrite_us_median) * 2))"
	echo "nodes=$n ratio_logged_to_cpg_oneway=$(f1 "$(med "${r_lo[@]}")") ratio_nolog_to_cpg_oneway=$(f1 "$(med "${r_uo[@]}")")"
	# An experiment beside the figures, only with -R: every mdcommd and
	# the probe with ordinary scheduling (commd_rt_priority 0), for a
	# comparison with the default SCHED_RR.
	if [ "$sched_rr" = 1 ]; then
		sched_other_experiment "$n" ||
			echo "nodes=$n sched_other_experiment failed: skipped" >&2
	fi
	if [ "$n" = 3 ] && [ "$quick" = 0 ]; then
		cluster_mkset 1 one "$dir/shared/d2" || die "1-node set"
		cluster_join 1 one || die "1-node set's join"
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
	cluster_down
done
flatness
# The breakdowns, the daemons stopped (their files complete).
if [ -n "$tdir" ]; then
	for n in $sizes; do
		echo "nodes=$n trace breakdown ($tdir/nodes$n):"
		python3 "$here/mdc-trace.py" "$tdir/nodes$n" ||
			echo "mdc-bench: no breakdown for $n nodes" >&2
	done
fi
