#!/usr/bin/env bash
# t0001-membership: three nodes; a crash, a partition, a heal and a restart,
# with the membership and quorum every node must see after each.
#
# votequorum with 3 nodes of 1 vote: expected votes 3, quorum 2.
#   kill 1         -> {2,3} hold 2 votes: quorate on both.
#   partition 2    -> {2} and {3} hold 1 vote each: neither is quorate
#                     (no wait_for_all/last_man_standing: nothing lowers the
#                     quorum below 2).
#   heal 2         -> {2,3}: quorate again.
#   restart 1      -> {1,2,3}: quorate.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster

t_up 3
for k in 1 2 3; do
	t_expect_view $k "members=1,2,3 quorate=yes"
done

# Each node has its own name, address, /run, /etc/oban and /var/lib/oban;
# DIR/shared is the same on all.
t_check "node 2 is named node2" [ "$(ocl exec 2 hostname)" = node2 ]
ocl exec 1 sh -c 'echo one > /etc/oban/marker && echo one > /var/lib/oban/marker && echo r1 > /run/oban/marker'
t_check "/etc/oban and /var/lib/oban are node-private" \
	ocl exec 2 sh -c '[ -d /etc/oban ] && [ ! -e /etc/oban/marker ] && [ ! -e /var/lib/oban/marker ] && [ ! -e /run/oban/marker ]'
t_check "the host has no /etc/oban marker" [ ! -e /etc/oban/marker ]
ocl exec 1 sh -c 'echo hello > "$OCLUSTER_SHARED/drive0"'
t_check "a shared drive written on node 1 is read on node 3" \
	[ "$(ocl exec 3 sh -c 'cat "$OCLUSTER_SHARED/drive0"')" = hello ]
t_check "exec passes the exit status" \
	sh -c "! '$OCLUSTER' -d '$T_DIR' exec 2 sh -c 'exit 3'"

# A daemon on node 1 and one on node 2.
t_check "spawn a daemon on node 1" ocl spawn 1 sleeper sleep 1000
t_check "spawn a daemon on node 2" ocl spawn 2 sleeper sleep 1000
t_check "a second spawn of the same name is refused" \
	sh -c "! '$OCLUSTER' -d '$T_DIR' spawn 2 sleeper sleep 1000 2>/dev/null"
pid2=$(cut -d' ' -f1 "$T_DIR/node2/pids/sleeper.pid")
t_check "stop the daemon on node 2" ocl stop 2 sleeper
t_check "the daemon on node 2 is gone" t_pid_gone "$pid2"
t_check "its pidfile is gone" [ ! -e "$T_DIR/node2/pids/sleeper.pid" ]

# Crash node 1.
pid1=$(cut -d' ' -f1 "$T_DIR/node1/pids/sleeper.pid")
t_check "kill node 1" ocl kill 1
t_check "node 1's daemon died with it" t_pid_gone "$pid1"
t_check "survivors see {2,3}" ocl wait-quorum "2 3"
t_expect_view 2 "members=2,3 quorate=yes"
t_expect_view 3 "members=2,3 quorate=yes"
t_check "members of a dead node is an error" \
	sh -c "! '$OCLUSTER' -d '$T_DIR' members 1 2>/dev/null"

# Isolate node 2: two lone nodes, neither quorate.
t_check "partition node 2" ocl partition 2
t_check "node 2 alone, inquorate" ocl wait-quorum --on 2 --inquorate "2"
t_check "node 3 alone, inquorate" ocl wait-quorum --on 3 --inquorate "3"
t_expect_view 2 "members=2 quorate=no"
t_expect_view 3 "members=3 quorate=no"

t_check "heal node 2" ocl heal 2
t_check "{2,3} quorate again" ocl wait-quorum "2 3"
t_expect_view 2 "members=2,3 quorate=yes"
t_expect_view 3 "members=2,3 quorate=yes"

# Reboot node 1: /run is new, /etc/oban and /var/lib/oban survived.
t_check "restart node 1" ocl restart 1
t_check "all three again" ocl wait-quorum "1 2 3"
for k in 1 2 3; do
	t_expect_view $k "members=1,2,3 quorate=yes"
done
t_check "node 1 kept /etc/oban and /var/lib/oban over the restart" \
	ocl exec 1 sh -c '[ "$(cat /etc/oban/marker /var/lib/oban/marker)" = "one
one" ]'
t_check "node 1's /run is new after the restart" \
	ocl exec 1 sh -c '[ ! -e /run/oban/marker ]'
t_check "restart did not respawn the daemon" [ ! -e "$T_DIR/node1/pids/sleeper.pid" ]

t_down
t_done
