#!/usr/bin/env bash
# t0110-mnset-metainit: a multi-owner set across three corosync nodes.
#
# Node 2 creates set blue on node1..node3 and adds three shared drives
# (each gets a replica); every node joins (node 2 first: the master);
# every node prints the same hosts, owners and drives.  `metainit` from
# node 3 (a slave) builds d10, d11 and the mirror d0; `metastat -p` is the
# same on all three; a failing metainit prints the failing node's error
# once; metarename -x and an aligned soft partition (-A, grown aligned) go
# through mdcommd from any node.  Withdraw: the master's withdraw is refused while
# others are joined; node 3 withdraws and sees "Master and owner
# information unavailable until joined", the others no longer list it as
# an owner; node 3 joins again and sees the same configuration.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 3
mn_setup "1 2 3"
mn_set blue 2 "2 1 3" "d1 d2 d3"
for k in 1 2 3; do
	out=$(ocl exec $k metaset -s blue)
	t_check "node $k: master node2, three owners, three replicas" \
		sh -c "printf '%s\n' \"\$1\" | grep -q 'Master = node2' &&
		[ \$(printf '%s\n' \"\$1\" | grep -c 'multi-owner *Yes') = 3 ] &&
		[ \$(printf '%s\n' \"\$1\" | grep -c '/shared/d[123] Yes') = 3 ]" _ "$out"
done

t_check "metainit d10 from node 3" ocl exec 3 metainit -s blue d10 1 1 "$T_DIR/shared/d1"
t_check "metainit d11 from node 3" ocl exec 3 metainit -s blue d11 1 1 "$T_DIR/shared/d2"
t_check "metainit d0 -m d10 from node 3" ocl exec 3 metainit -s blue d0 -m d10
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
printf '%s\n' "$MN_STAT" | sed 's/^/# /'
t_check "it lists d0, d10 and d11" \
	[ "$(printf '%s\n' "$MN_STAT" | grep -c '^blue/d\(0\|10\|11\) ')" = 3 ]
out=$(ocl exec 1 metainit -s blue d10 1 1 "$T_DIR/shared/d3" 2>&1)
rc=$?
[ $rc = 1 ] && printf '%s\n' "$out" | grep -qx "metainit: cannot create 'blue/d10' on node 2: already exists" &&
	t_ok "metainit of an existing d10 fails with the master's (node 2) error, printed once ($out)" ||
	t_fail "metainit of an existing d10: rc $rc: $out"
t_check "metastat -p still the same everywhere" mn_same_stat blue "1 2 3"

# metarename -x, soft partition -A and its growth, forwarded from any node.
t_check "metarename -x d0 d10 from node 1" ocl exec 1 metarename -s blue -x d0 d10
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
t_check "d10 is the mirror of d0 now" \
	sh -c "printf '%s\n' \"\$1\" | grep -qx 'blue/d10 -m blue/d0 1'" _ "$MN_STAT"
t_check "and back from node 3" ocl exec 3 metarename -s blue -x d10 d0
t_check "metainit d12 -p -A 64k d11 from node 3" ocl exec 3 metainit -s blue d12 -p -A 64k d11 100
t_check "metattach d12 50 from node 1" ocl exec 1 metattach -s blue d12 50
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
t_check "d12 aligned and grown aligned" \
	sh -c "printf '%s\n' \"\$1\" | grep -qx 'blue/d12 -p -A 128b blue/d11 -o 128 -b 100 -o 356 -b 50'" _ "$MN_STAT"
t_check "metastat -i on node 2: every drive here" ocl exec 2 metastat -s blue -i
t_check "metaclear d12 from node 2" ocl exec 2 metaclear -s blue d12
t_check "metastat -p still the same everywhere" mn_same_stat blue "1 2 3"

# Withdraw.
out=$(ocl exec 2 metaset -s blue -w 2>&1)
rc=$?
[ $rc -ne 0 ] && printf '%s' "$out" | grep -q "master may not withdraw" &&
	t_ok "the master's withdraw is refused while others are joined ($out)" ||
	t_fail "master's withdraw: rc $rc: $out"
t_check "node 2 is still master and owner" \
	sh -c "'$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q 'Master = node2'"
t_check "node 3 withdraws" ocl exec 3 metaset -s blue -w
t_check "node 3 sees \"unavailable until joined\"" \
	sh -c "'$OCLUSTER' -d '$T_DIR' exec 3 metaset -s blue | grep -q 'Master and owner information unavailable until joined'"
t_check "node 1 no longer lists node 3 as an owner" \
	sh -c "'$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node3  *Yes'"
t_check "node 3 joins again" ocl exec 3 metaset -s blue -j
t_check "metastat -p is the same on nodes 1, 2, 3 again" mn_same_stat blue "1 2 3"

t_down
t_done
