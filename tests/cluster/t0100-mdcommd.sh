#!/usr/bin/env bash
# t0100-mdcommd: mdcommd on three real corosync nodes, driven by mdcctl
# (what the by-hand daemons/mdcommd/check-2node.sh checked, on the harness).
#
# Every daemon sees the three members; with node 1 named master of set 1,
# pings and NO_LOG TEST messages from any node run once on every node; a
# FAIL_ON_SUSPEND send is refused while its node is suspended and goes
# through after resume; a node cut off by a partition has no quorum and
# refuses to send, and serves again once healed and told the master; SIGTERM stops a daemon and
# removes its socket.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mdc_start "1 2 3"
for k in 1 2 3; do
	t_check "node $k's daemon sees 3 members" mdc_wait_members $k 3
done
for k in 1 2 3; do
	mdc_expect "node $k names node 1 master of set 1" "^ACK" $k setmaster 1 1
done

# Each daemon asked the members for the holds in force when it started
# (doc/mdcommd.md 7, a SET_ADMIN QUERY run on every node, asked again
# after 1, 2, 4, then every 8 s while refused, for at most 60 s): the
# counts below are what ran after every node's question is over, which
# its daemon logs (at most 70 s).
holds_over()
{
	local k
	for k in 1 2 3; do
		grep -q "node $k: the question for the holds in force is over" \
			"$T_DIR/node$k/log/mdcommd.log" || return 1
	done
}
for ((i = 0; i < 350; i++)); do
	holds_over && break
	sleep 0.2
done
t_check "every daemon's question for the holds in force is over" holds_over
declare -A runs0
for k in 1 2 3; do runs0[$k]=$(mdc_status_field $k runs); done
jobs0=$(mdc_status_field 1 'master jobs')
mdc_expect "ping from node 2" "set 1: ACK" 2 ping 1
mdc_expect "ping from node 3" "set 1: ACK" 3 ping 1
mdc_expect "NO_LOG TEST2 from node 2" "ACK exit 0" 2 send 1 TEST2 1
mdc_expect "NO_LOG TEST3 from node 1 (the master)" "ACK exit 0" 1 send 1 TEST3 1
mdc_expect "NO_LOG TEST4 from node 3" "ACK exit 0" 3 send 1 TEST4 1
for k in 1 2 3; do
	t_check "the 5 messages ran once on node $k" \
		[ "$(($(mdc_status_field $k runs) - runs0[$k]))" = 5 ]
done
t_check "node 1 was master of all 5" [ "$(($(mdc_status_field 1 'master jobs') - jobs0))" = 5 ]
# (from check-2node.sh) Set 1 is no set of these nodes: a logged message
# has no change log to go to and is refused (LOG_FAIL), running nowhere.
mdc_expect "a logged TEST1 is refused: no change log for set 1" "change log" 2 send 1 TEST1
t_check "it ran nowhere" [ "$(($(mdc_status_field 1 runs) - runs0[1]))" = 5 ]

mdc_expect "suspend set 1 on node 2" "^ACK" 2 suspend 1
mdc_expect "FAIL_ON_SUSPEND send refused while suspended" "suspended" 2 send 1 TEST2 0x201
mdc_expect "node 3 is not suspended" "ACK exit 0" 3 send 1 TEST2 1
mdc_expect "resume set 1 on node 2" "^ACK" 2 resume 1
mdc_expect "node 2 sends again" "ACK exit 0" 2 send 1 TEST2 1

# Node 3 cut off: alone, no quorum, nothing accepted; the others go on.
t_check "partition node 3" ocl partition 3
t_check "node 3 alone, inquorate" ocl wait-quorum --on 3 --inquorate 3
t_check "{1,2} quorate" ocl wait-quorum "1 2"
t_check "node 3's daemon sees itself alone" mdc_wait_members 3 1
mdc_expect "no quorum: node 3's send refused" "no quorum" 3 send 1 TEST2 1
t_check "node 2's daemon sees 2 members" mdc_wait_members 2 2
mdc_expect "node 2 still sends through node 1" "ACK exit 0" 2 send 1 TEST2 1
t_check "heal node 3" ocl heal 3
t_check "{1,2,3} quorate" ocl wait-quorum "1 2 3"
t_check "node 3's daemon sees 3 members again" mdc_wait_members 3 3
# Node 3 saw its master leave; a master is chosen only in a
# reconfiguration (metaclust step1), here by hand:
mdc_expect "node 3 names node 1 master again" "^ACK" 3 setmaster 1 1
mdc_expect "node 3 sends again" "ACK exit 0" 3 send 1 TEST2 1

# SIGTERM: the daemon stops and removes its socket.
pid=$(cut -d' ' -f1 "$T_DIR/node2/pids/mdcommd.pid")
t_check "stop node 2's mdcommd" ocl stop 2 mdcommd
t_check "node 2's mdcommd is gone" t_pid_gone "$pid"
t_check "its socket is gone" ocl exec 2 test ! -e /run/oban/mdcommd.sock
t_check "no daemon: node 2's client fails" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 2 '$MDC_CTL' ping 1 2>/dev/null"

t_down
t_done
