#!/usr/bin/env bash
# t0117-mnset-joinstate: a joiner takes the master's reading of the
# replicas, not its own.
#
# Set blue on nodes 1..3 with four drives (a replica on each); nodes 2 (the
# master) and 1 join.  A drive is hidden from one node by a bind mount of a
# blank file over it in that node's mount namespace (private: nothing
# reaches the host), so each node reads the replicas it is shown.
# 1. The master sees d1 and d2 (2 of 4: it runs at 50%), node 3 sees only
#    d1 (1 of 4, stale by its own reading): node 3 joins, not stale.
# 2. Node 3 withdraws.  The master sees only d1 (stale), node 3 sees all
#    four: node 3 joins stale ("joined stale (the master's state database
#    is stale)"), and the set's records on every node list it as an owner.
# 3. Node 3 deleted from the hosts; the master stale: adding node 3 is
#    refused ("master sees half or fewer of its replicas"), nothing
#    changes; with the master whole again it is added and joins.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 4
mn_setup "1 2 3"
S=$T_DIR/shared
t_check "metaset -M -a -h node2 node1 node3 from node 2" \
	ocl exec 2 metaset -s blue -M -a -h node2 node1 node3
t_check "add d1..d4 from node 2" ocl exec 2 metaset -s blue -a "$S/d1" "$S/d2" "$S/d3" "$S/d4"
t_check "node 2 joins (master)" ocl exec 2 metaset -s blue -j
t_check "node 1 joins" ocl exec 1 metaset -s blue -j

# show K "d1 d2": node K sees these drives, blank files in place of the
# others.
truncate -s 64M "$T_DIR/blank" || t_fail "blank file"
show()
{
	local d
	for d in d1 d2 d3 d4; do
		ocl exec "$1" sh -c "umount '$S/$d' 2>/dev/null; true"
		case " $2 " in
		*" $d "*) ;;
		*) ocl exec "$1" mount --bind "$T_DIR/blank" "$S/$d" || return 1 ;;
		esac
	done
}
owners() { ocl exec "$1" metaset -s blue | grep -c 'multi-owner *Yes'; }

t_check "the master sees d1, d2 (50%)" show 2 "d1 d2"
t_check "node 3 sees d1 only" show 3 "d1"
out=$(ocl exec 3 metaset -s blue -j 2>&1)
rc=$?
[ $rc = 0 ] && ! printf '%s' "$out" | grep -q stale &&
	t_ok "node 3 joins, not stale: the master runs at 50% ($out)" ||
	t_fail "join with the master at 50%: rc $rc: $out"
t_check "node 1 lists three owners" [ "$(owners 1)" = 3 ]
t_check "node 3 withdraws" ocl exec 3 metaset -s blue -w

t_check "the master sees d1 only (stale)" show 2 "d1"
t_check "node 3 sees every drive" show 3 "d1 d2 d3 d4"
out=$(ocl exec 3 metaset -s blue -j 2>&1)
rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q "joined stale (the master's state database is stale)" &&
	t_ok "node 3 joins stale: the master is ($out)" ||
	t_fail "join with a stale master: rc $rc: $out"
for k in 1 2 3; do
	t_check "node $k lists three owners" [ "$(owners $k)" = 3 ]
done
t_check "the master sees every drive again" show 2 "d1 d2 d3 d4"
t_check "node 3 withdraws again" ocl exec 3 metaset -s blue -w
t_check "node 1 lists two owners" [ "$(owners 1)" = 2 ]

# 3. A host added while the master is stale would read the old records
#    from the mddb: refused in the dry run, nothing changed; added once
#    the master sees its replicas again.
t_check "node 3 deleted from the hosts" ocl exec 2 metaset -s blue -d -h node3
t_check "the master sees d1 only (stale) again" show 2 "d1"
out=$(ocl exec 2 metaset -s blue -a -h node3 2>&1)
rc=$?
[ $rc != 0 ] && printf '%s' "$out" | grep -q "master sees half or fewer of its replicas" &&
	t_ok "adding node 3 with a stale master is refused ($out)" ||
	t_fail "host add with a stale master: rc $rc: $out"
t_check "node 1's records have no node3" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node3 '"
t_check "node 3 knows no set blue" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 3 metaset -s blue >/dev/null 2>&1"
t_check "the master sees every drive" show 2 "d1 d2 d3 d4"
t_check "node 3 added again" ocl exec 2 metaset -s blue -a -h node3
t_check "node 3 joins" ocl exec 3 metaset -s blue -j
for k in 1 2 3; do
	t_check "node $k lists three owners" [ "$(owners $k)" = 3 ]
done

t_down
t_done
