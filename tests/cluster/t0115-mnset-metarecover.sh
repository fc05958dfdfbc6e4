#!/usr/bin/env bash
# t0115-mnset-metarecover: metarecover on a multi-owner set across three
# corosync nodes.
#
# Node 2 creates set blue and joins first (the master).  Soft partitions
# d10, d11 (cleared again: a gap) and d12 are made on drive d1 from node 3:
# the master, which commits each change, writes the drive's extent headers,
# so -p on the master matches with no -m.  metarecover from node 1 (a
# slave) is refused and names the master; on the master -p -m rewrites the
# same headers.  The header blocks are saved, d10 and d12 cleared from node
# 3 (the master's headers then say the drive is free) and the blocks put
# back, as if the set's database had lost them: on the master -p -d
# rebuilds them through mdcommd (dry run, then the real run on every node):
# `metastat -p` is then the same on the three nodes and equal to what it was
# before the clear.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 3
mn_setup "1 2 3"
mn_set blue 2 "2 1 3" "d1 d2 d3"
D1=$T_DIR/shared/d1

t_check "metainit d10 -p d1 8m from node 3" ocl exec 3 metainit -s blue d10 -p "$D1" 8m
t_check "metainit d11 -p d1 4m from node 3" ocl exec 3 metainit -s blue d11 -p "$D1" 4m
t_check "metainit d12 -p d1 2m from node 3" ocl exec 3 metainit -s blue d12 -p "$D1" 2m
t_check "metaclear d11 from node 1" ocl exec 1 metaclear -s blue d11
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
want=$MN_STAT
printf '%s\n' "$want" | sed 's/^/# /'

out=$(ocl exec 1 metarecover -s blue "$D1" -p -m 2>&1)
rc=$?
[ $rc = 1 ] && printf '%s' "$out" | grep -q "cannot recover (master: node2) set 'blue' on node 1: runs only on the set's master" &&
	t_ok "metarecover on node 1 is refused, naming the master ($out)" ||
	t_fail "metarecover on node 1: rc $rc: $out"
out=$(ocl exec 2 metarecover -s blue "$D1" -p 2>&1)
rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q "4 extent headers match" &&
	t_ok "on the master, -p: the headers written by the changes match ($out)" ||
	t_fail "-p before -m: rc $rc: $out"
t_check "on the master, -p -m rewrites the headers" ocl exec 2 metarecover -s blue "$D1" -p -m
out=$(ocl exec 2 metarecover -s blue "$D1" -p 2>&1)
rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q "4 extent headers match" &&
	t_ok "-p: the headers match ($out)" || t_fail "-p after -m: rc $rc: $out"

# Save the header blocks (each at a block boundary of the drive file).
hdrs=$(grep -obUa OBWM "$D1" | cut -d: -f1)
nsaved=0
for o in $hdrs; do
	[ $((o % 512)) = 0 ] || continue
	dd if="$D1" of="$T_DIR/hdr.$o" bs=512 skip=$((o / 512)) count=1 status=none &&
		nsaved=$((nsaved + 1))
done
t_check "4 header blocks saved" [ "$nsaved" = 4 ]
t_check "metaclear d10 d12 from node 3" ocl exec 3 metaclear -s blue d10 d12
t_check "metastat -p is the same on nodes 1, 2, 3 after the clear" mn_same_stat blue "1 2 3"
t_check "d10 and d12 are gone" [ -z "$(printf '%s\n' "$MN_STAT" | grep '^blue/d1[02] ')" ]
out=$(ocl exec 2 metarecover -s blue "$D1" -p 2>&1)
rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q "the free header covers the drive" &&
	t_ok "on the master, -p: the clear left one free header ($out)" ||
	t_fail "-p after the clear: rc $rc: $out"
for f in "$T_DIR"/hdr.*; do
	o=${f##*.}
	dd if="$f" of="$D1" bs=512 seek=$((o / 512)) count=1 conv=notrunc status=none
done
out=$(ocl exec 2 metarecover -s blue "$D1" -p -d 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $rc = 0 ] && [ "$(printf '%s\n' "$out" | grep -c 'Soft Partition is setup')" = 2 ] &&
	t_ok "on the master, -p -d recovers d10 and d12 through mdcommd" ||
	t_fail "-p -d: rc $rc: $out"
t_check "metastat -p is the same on nodes 1, 2, 3 after the recovery" mn_same_stat blue "1 2 3"
t_check "and equal to what it was before the clear" [ "$MN_STAT" = "$want" ]
out=$(ocl exec 2 metarecover -s blue "$D1" -p 2>&1)
t_check "-p matches again" sh -c "printf '%s' \"\$1\" | grep -q '4 extent headers match'" _ "$out"

t_down
t_done
