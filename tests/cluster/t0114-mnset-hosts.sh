#!/usr/bin/env bash
# shellcheck disable=SC2001
# t0114-mnset-hosts: metaset and metadb on a multi-owner set across four
# real corosync nodes (tests/cluster/ocluster).
#
# Create from node 2 on nodes 1..3 (node 4 does not learn it); a set
# created from node 4 takes number 2 as number 1 is in use on node 3; a second
# create from node 4 refused by the dry run; host add (learns the set) and
# delete (forgets it); first drives from node 4 (master on every node);
# drive changes refused on a slave; metadb -d / -a from slaves seen by
# every node; metainit from slaves with metastat -p identical; withdraw of
# all, the master last; -d -f -h of every host from the master.
# shellcheck source=/dev/null
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
# shellcheck source=/dev/null
. "$T_HERE/t01-mdc-lib.sh"
t_up 4
mn_drives 3
mn_setup "1 2 3 4"
t_check "create red on node1..3 from node 2" ocl exec 2 metaset -s red -M -a -h node1 node2 node3
for k in 1 2 3 4; do echo "# node $k:"; ocl exec $k metaset -s red 2>&1 | sed 's/^/#   /'; done
t_check "node 4 does not know red" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 4 metaset -s red 2>/dev/null"
t_check "create blue on node3, node4 from node 4 (number 1 is red's on node 3)" ocl exec 4 metaset -s blue -M -a -h node3 node4
t_check "blue is set number 2 on node 3" sh -c "'$OCLUSTER' -d '$T_DIR' exec 3 metaset -s blue | grep -q 'Set number = 2,'"
t_check "blue is set number 2 on node 4" sh -c "'$OCLUSTER' -d '$T_DIR' exec 4 metaset -s blue | grep -q 'Set number = 2,'"
t_check "node 1 does not know blue" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue 2>/dev/null"
t_check "delete blue (every host) from node 3" ocl exec 3 metaset -s blue -d -h node3 node4
t_check "node 4 forgot blue" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 4 metaset -s blue 2>/dev/null"
t_check "create red again from node 4 fails" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 4 metaset -s red -M -a -h node4 node1 2>$T_DIR/err"
sed 's/^/# /' "$T_DIR/err"
t_check "node 4 still does not know red (dry run stopped it)" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 4 metaset -s red 2>/dev/null"
t_check "add host node4 from node 1" ocl exec 1 metaset -s red -a -h node4
t_check "node 4 knows red" ocl exec 4 metaset -s red
t_check "delete host node3 from node 4" ocl exec 4 metaset -s red -d -h node3
t_check "node 3 forgot red" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 3 metaset -s red 2>/dev/null"
out=$(ocl exec 1 metaset -s red); echo "$out" | sed 's/^/# /'
t_check "node 1 lists node4, not node3" sh -c "echo \"\$1\" | grep -q '^  node4 ' && ! echo \"\$1\" | grep -q '^  node3 '" _ "$out"
t_check "drives from node 4 (first drives: node 4 master)" ocl exec 4 metaset -s red -a "$T_DIR/shared/d1" "$T_DIR/shared/d2" "$T_DIR/shared/d3"
out=$(ocl exec 1 metaset -s red); echo "$out" | sed 's/^/# /'
t_check "node 1 not joined: unavailable" sh -c "echo \"\$1\" | grep -q 'unavailable until joined'" _ "$out"
t_check "node 1 joins" ocl exec 1 metaset -s red -j
t_check "node 2 joins" ocl exec 2 metaset -s red -j
out=$(ocl exec 2 metaset -s red); echo "$out" | sed 's/^/# /'
t_check "node 2: master node4" sh -c "echo \"\$1\" | grep -q 'Master = node4'" _ "$out"
t_check "drive add from a slave is refused" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 1 metaset -s red -d '$T_DIR/shared/d3' 2>$T_DIR/err"
sed 's/^/# /' "$T_DIR/err"
t_check "metadb -d d3 from node 1 (slave)" ocl exec 1 metadb -s red -d "$T_DIR/shared/d3"
for k in 1 2 4; do echo "# metadb node $k:"; ocl exec $k metadb -s red 2>&1 | sed 's/^/#   /'; done
t_check "node 2 sees 2 replicas" sh -c "[ \$('$OCLUSTER' -d '$T_DIR' exec 2 metadb -s red | grep -c shared/d) = 2 ]"
t_check "metadb -a d3 from node 2" ocl exec 2 metadb -s red -a "$T_DIR/shared/d3"
t_check "node 1 sees 3 replicas" sh -c "[ \$('$OCLUSTER' -d '$T_DIR' exec 1 metadb -s red | grep -c shared/d) = 3 ]"
t_check "metainit from node 2" ocl exec 2 metainit -s red d5 1 1 "$T_DIR/shared/d1"
t_check "metastat same" mn_same_stat red "1 2 4"
t_check "master drops d3 (drive delete on master)" ocl exec 4 metaset -s red -d "$T_DIR/shared/d3"
out=$(ocl exec 1 metaset -s red); echo "$out" | sed 's/^/# /'
t_check "node 1 no longer lists d3" sh -c "! echo \"\$1\" | grep -q 'shared/d3'" _ "$out"
t_check "master adds d3 back (joined set)" ocl exec 4 metaset -s red -a "$T_DIR/shared/d3"
t_check "metainit on d3 from node 1 (slave)" ocl exec 1 metainit -s red d6 1 1 "$T_DIR/shared/d3"
t_check "metastat same after" mn_same_stat red "1 2 4"
printf '%s\n' "$MN_STAT" | sed 's/^/# /'
t_check "metaclear d6 from node 2" ocl exec 2 metaclear -s red d6
t_check "metaclear d5 from node 2" ocl exec 2 metaclear -s red d5
t_check "master drops d3 again" ocl exec 4 metaset -s red -d "$T_DIR/shared/d3"
t_check "node 1 withdraws" ocl exec 1 metaset -s red -w
t_check "node 2 withdraws" ocl exec 2 metaset -s red -w
t_check "master alone withdraws" ocl exec 4 metaset -s red -w
out=$(ocl exec 2 metaset -s red); echo "$out" | sed 's/^/# /'
t_check "delete everything from a non-joined node refused" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 1 metaset -s red -d -f -h node1 node2 node4 2>$T_DIR/err"
sed 's/^/# /' "$T_DIR/err"
t_check "node 4 joins again (first: master)" ocl exec 4 metaset -s red -j
out=$(ocl exec 1 metaset -s red); echo "$out" | sed 's/^/# /'
t_check "node 1 sees master node4" sh -c "echo \"\$1\" | grep -q 'unavailable until joined'" _ "$out"
t_check "node 4 deletes every host with -f" ocl exec 4 metaset -s red -d -f -h node1 node2 node4
for k in 1 2 3 4; do t_check "node $k: red gone" sh -c "! '$OCLUSTER' -d '$T_DIR' exec $k metaset -s red 2>/dev/null"; done
t_check "d1 label wiped" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 1 metadump '$T_DIR/shared/d1' 2>/dev/null | grep -q red"
t_down
t_done
