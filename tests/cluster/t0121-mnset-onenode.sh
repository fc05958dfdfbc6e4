#!/usr/bin/env bash
# t0121-mnset-onenode: a multi-owner set on a cluster of one node.
#
# A one-line node list (as mdcommd writes it from a one-node corosync) is
# a cluster to metaset: creating the set, adding drives and joining go
# through mdcommd, so the join names the master to the daemon and the
# configuration commands, which always go through mdcommd on a
# multi-owner set, find the set joined: metainit, metastat, metaclear.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 1
mn_drives 2
mn_setup "1"
mn_set blue 1 "1" "d1 d2"
t_check "metaset names node1 master" \
	sh -c "'$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q 'Master = node1'"
t_check "mdcommd knows node 1 as the master of set 1" \
	sh -c "'$OCLUSTER' -d '$T_DIR' exec 1 '$OBAN_BUILDDIR/daemons/mdcommd/mdcctl' master 1 | grep -qx 1"
t_check "metainit d10 through mdcommd" ocl exec 1 metainit -s blue d10 1 1 "$T_DIR/shared/d1"
t_check "metainit d11 through mdcommd" ocl exec 1 metainit -s blue d11 1 1 "$T_DIR/shared/d2"
t_check "metainit d0 -m d10" ocl exec 1 metainit -s blue d0 -m d10
out=$(ocl exec 1 metastat -s blue -p 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
t_check "metastat -p lists d0, d10 and d11" \
	[ "$(printf '%s\n' "$out" | grep -c '^blue/d\(0\|10\|11\) ')" = 3 ]
t_check "metaclear -r d0 through mdcommd" ocl exec 1 metaclear -s blue -r d0
out=$(ocl exec 1 metastat -s blue -p 2>&1)
t_check "only d11 is left ($out)" \
	[ "$(printf '%s\n' "$out" | cut -d' ' -f1)" = blue/d11 ]

t_down
t_done
