#!/usr/bin/env bash
# t0002-five-nodes: the largest cluster the harness makes; every node sees
# all five, quorate; one crash leaves four quorate (quorum 3 of 5).
. "$(dirname "$0")/test-lib.sh"
t_require_cluster

t_up 5
for k in 1 2 3 4 5; do
	t_expect_view $k "members=1,2,3,4,5 quorate=yes"
done
t_check "kill node 3" ocl kill 3
t_check "four survivors see {1,2,4,5}" ocl wait-quorum "1 2 4 5"
for k in 1 2 4 5; do
	t_expect_view $k "members=1,2,4,5 quorate=yes"
done
t_down
t_done
