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

# mdc_spawn "1 2" - start mdcommd on each node (runtime.cf written) and
# wait for its socket.
mdc_spawn()
{
	local k
	for k in $1; do
		ocl spawn "$k" mdcommd "$OBAN_BUILDDIR/daemons/mdcommd/mdcommd" ||
			t_fail "spawn mdcommd on node $k"
	done
	for k in $1; do
		mdc_wait ocl exec "$k" test -S /run/oban/mdcommd.sock ||
			t_fail "mdcommd's socket on node $k"
	done
}

mdc_start()
{
	local k
	for k in $1; do
		ocl exec "$k" sh -c "printf 'commd_verbosity $MDC_VERBOSITY\ncommd_out_file /run/oban/commd.out\ncommd_inconsistency_action leave\n' > /etc/oban/runtime.cf" ||
			t_fail "write runtime.cf on node $k"
	done
	mdc_spawn "$1"
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

# mn_setno K SET - $setno: SET's number as node K's metaset prints it
# (checked to be there).
mn_setno()
{
	setno=$(ocl exec "$1" metaset -s "$2" | sed -n 's/.*Set number = \([0-9]*\).*/\1/p')
	t_check "set $2 has a number ($setno)" [ -n "$setno" ]
}

# mn_held_done WPID WHO IPID INODE "NODES" SETNO - after a held change: the
# change (background WPID, output in $T_DIR/w.out; WHO names it) succeeded,
# the metainit held meanwhile (IPID from node INODE, output in
# $T_DIR/i.out) completed after the resume, metastat -p is the same on
# NODES and holds blue/d10, and a ping from node INODE is ACK again.
mn_held_done()
{
	local wpid=$1 who=$2 ipid=$3 k=$4 nodes=$5 setno=$6 i rc
	wait "$wpid"
	rc=$?
	t_check "$who succeeded ($(cat "$T_DIR/w.out"))" [ $rc = 0 ]
	for ((i = 0; i < 300; i++)); do kill -0 "$ipid" 2>/dev/null || break; sleep 0.2; done
	wait "$ipid"
	rc=$?
	t_check "the metainit from node $k completed after the resume ($(cat "$T_DIR/i.out"))" [ $rc = 0 ]
	t_check "metastat -p is the same on nodes ${nodes// / and }" mn_same_stat blue "$nodes"
	t_check "and holds d10" sh -c "printf '%s\n' \"\$1\" | grep -q '^blue/d10 '" _ "$MN_STAT"
	mdc_expect "ping from node $k: ACK again" "set $setno: ACK" "$k" ping "$setno"
}

# mdc_status_field K NAME - e.g. "runs", "bad packets", "master jobs".
mdc_status_field()
{
	mdc "$1" status | sed -n "s/.*[:,] $2 \([0-9][0-9]*\).*/\1/p"
}

# mn_setup "1 2 3" - on each node: the node list /run/oban/nodelist (every
# node of the run), runtime.cf with drive_glob on the shared drives (plus
# the lines in $MN_RUNTIME_EXTRA), and mdcommd.
mn_setup()
{
	local k n nl=""
	n=$(sed -n 's/^OCL_N=//p' "$T_DIR/ocluster.env")
	for ((k = 1; k <= n; k++)); do
		nl+="$k node$k 10.99.0.$k"$'\n'
	done
	for k in $1; do
		ocl exec "$k" sh -c "printf '%s' '$nl' > /run/oban/nodelist && printf 'commd_verbosity $MDC_VERBOSITY\ncommd_out_file /run/oban/commd.out\ncommd_inconsistency_action leave\ndrive_glob %s/d*\n${MN_RUNTIME_EXTRA:-}' \"\$OCLUSTER_SHARED\" > /etc/oban/runtime.cf" ||
			t_fail "node list and runtime.cf on node $k"
	done
	mdc_spawn "$1"
	for k in $1; do
		mdc_wait_members "$k" "$(echo $1 | wc -w)" ||
			t_fail "node $k's mdcommd sees every node"
	done
	t_ok "node list, runtime.cf and mdcommd on nodes $1"
}

# mn_drives N - N shared drive files of 64 MiB: $T_DIR/shared/d1..dN.
mn_drives()
{
	local i
	for ((i = 1; i <= $1; i++)); do
		truncate -s 64M "$T_DIR/shared/d$i" || t_fail "drive d$i"
	done
}

# mn_set SET FROM "HOSTS" "DRIVES" - create multi-owner SET from node FROM
# on node$K for each K of HOSTS, add the drives (d1 d2 ...), and join every
# host in the order given (the first joiner becomes master).
mn_set()
{
	local set=$1 from=$2 hosts=$3 drives=$4 k hl="" dl=""
	for k in $hosts; do hl+=" node$k"; done
	for k in $drives; do dl+=" $T_DIR/shared/$k"; done
	# shellcheck disable=SC2086
	t_check "metaset -M -a -h$hl from node $from" \
		ocl exec "$from" metaset -s "$set" -M -a -h $hl
	# shellcheck disable=SC2086
	t_check "add drives$dl from node $from" \
		ocl exec "$from" metaset -s "$set" -a $dl
	for k in $hosts; do
		t_check "node $k joins $set" ocl exec "$k" metaset -s "$set" -j
	done
}

# mn_same_stat SET "NODES" - metastat -p of SET is the same on NODES; the
# text goes to MN_STAT.
mn_same_stat()
{
	local k first="" out
	for k in $2; do
		out=$(ocl exec "$k" metastat -s "$1" -p 2>&1) || return 1
		if [ -z "$first" ]; then
			first=$out
			MN_STAT=$out
		elif [ "$out" != "$first" ]; then
			echo "# node $k: $out"
			echo "# first: $first"
			return 1
		fi
	done
	return 0
}

# mdc_ping_is SETNO K PAT - node K's mdcctl ping of set SETNO matches PAT
# (case-insensitive; bounded wait, mdc_wait).
mdc_ping_is()
{
	mdc_wait sh -c "'$OCLUSTER' -d '$T_DIR' exec $2 '$MDC_CTL' ping $1 2>&1 | grep -qi '$3'"
}

# mdc_pid K - node K's mdcommd's pid (host pid).
mdc_pid()
{
	cut -d' ' -f1 "$T_DIR/node$1/pids/mdcommd.pid"
}
