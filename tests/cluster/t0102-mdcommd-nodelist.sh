#!/usr/bin/env bash
# t0102-mdcommd-nodelist: mdcommd writes the node list /run/oban/nodelist
# from corosync's configured nodelist when a node has none, and keeps one
# that is already there.
#
# Node 1 starts with no node list: after mdcommd starts it reads
# "1 node1 10.99.0.1" and "2 node2 10.99.0.2" (ocluster's corosync.conf).
# Node 2 starts with a node list of its own, which mdcommd leaves as it was.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 2
t_check "node 1 has no node list" ocl exec 1 sh -c '! test -e /run/oban/nodelist'
t_check "node 2 has a node list of its own" \
	ocl exec 2 sh -c 'mkdir -p /run/oban && printf "2 node2 10.99.0.2\n" > /run/oban/nodelist'
mdc_start "1 2"
t_check "node 1's node list was written" ocl exec 1 test -s /run/oban/nodelist
got=$(ocl exec 1 awk '!/^#/ && NF { print $1, $2, $3 }' /run/oban/nodelist)
t_check "it names both nodes with their ids and addresses ($(echo $got))" \
	[ "$got" = "1 node1 10.99.0.1
2 node2 10.99.0.2" ]
got=$(ocl exec 2 cat /run/oban/nodelist)
t_check "node 2's own node list is kept" [ "$got" = "2 node2 10.99.0.2" ]
t_down
t_done
