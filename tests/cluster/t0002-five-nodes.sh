#!/usr/bin/env bash
# t0002-five-nodes: the largest cluster the harness makes; every node sees
# all five, quorate; one crash leaves four quorate (quorum 3 of 5); a
# restart with --respawn brings the node's daemons back.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster

t_up 5
for k in 1 2 3 4 5; do
	t_expect_view $k "members=1,2,3,4,5 quorate=yes"
done
t_check "spawn a daemon on node 3" ocl spawn 3 sleeper sleep 1000
t_check "kill node 3" ocl kill 3
t_check "four survivors see {1,2,4,5}" ocl wait-quorum "1 2 4 5"
for k in 1 2 4 5; do
	t_expect_view $k "members=1,2,4,5 quorate=yes"
done
t_check "restart node 3 with its daemons" ocl restart 3 --respawn
t_check "node 3's daemon runs again" ocl exec 3 sh -c 'kill -0 "$(cut -d" " -f1 "$OCLUSTER_DIR/node3/pids/sleeper.pid")"'
t_check "the daemon runs inside node 3" \
	[ "$(readlink /proc/"$(cut -d' ' -f1 "$T_DIR/node3/pids/sleeper.pid")"/ns/net)" = \
	"$(ocl exec 3 readlink /proc/self/ns/net)" ]
t_check "all five again" ocl wait-quorum "1 2 3 4 5"
t_down
t_done
