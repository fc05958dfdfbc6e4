#!/usr/bin/env bash
# t0113-mnset-masterkill: the master dies between its change-log write and
# its answer; `metaclust step1` and `step2` on the survivors finish the
# command, which then ran exactly once on every survivor.
#
# Set blue on three nodes, master node 1.  mdcommd's test hook
# commd_test_log_delay (runtime.cf, SIGHUP) makes node 1 sleep 4 s right
# after writing a change-log slot.  `metainit d10` from node 3 (in the
# background); once node 1 has taken the real command (its second BC_CMD,
# after the dry run) node 1 is killed (ocluster kill: a crash).  On nodes 2
# and 3: step1 (master: node 2), then step2 on node 2 replays the logged
# BC_CMD (the initiator also resends its request, with its id, to the new
# master once step1 named it: whichever comes first runs it, the other is
# answered from the completion tables).  The metainit answers success; metastat -p is the same on both
# and has d10; each survivor's debug file shows the replayed message run
# once; a second metainit d10 fails (it exists) and metainit d11 works.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 3
mn_setup "1 2 3"
mn_set blue 1 "1 2 3" "d1 d2 d3"
t_check "change-log delay hook on node 1" \
	sh -c "'$OCLUSTER' -d '$T_DIR' exec 1 sh -c \"echo 'commd_test_log_delay 4000' >> /etc/oban/runtime.cf\" && kill -HUP $(mdc_pid 1)"
sleep 1

ocl exec 3 timeout 120 metainit -s blue d10 1 1 "$T_DIR/shared/d1" >"$T_DIR/metainit.out" 2>&1 &
init_pid=$!
real_taken()
{
	[ "$(ocl exec 1 grep -c 'master: BC_CMD' /run/oban/commd.out)" -ge 2 ]
}
t_check "node 1 took the real command" mdc_wait real_taken
sleep 1 # inside the 4 s after the log write
t_check "kill node 1 (the master)" ocl kill 1
t_check "nodes 2 and 3 quorate" ocl wait-quorum "2 3"
t_check "node 2's daemon sees 2 members" mdc_wait_members 2 2
t_check "node 3's daemon sees 2 members" mdc_wait_members 3 2
for k in 2 3; do
	out=$(ocl exec $k metaclust -s blue step1 2>&1)
	t_check "metaclust step1 on node $k: $out" \
		sh -c "printf '%s' \"\$1\" | grep -q 'master is node 2'" _ "$out"
done
out=$(ocl exec 2 metaclust -s blue step2 2>&1)
t_check "metaclust step2 on node 2: $out" sh -c "[ \$? = 0 ]"
wait "$init_pid"
rc=$?
t_check "the metainit from node 3 succeeded: $(cat "$T_DIR/metainit.out")" [ $rc = 0 ]
t_check "metastat -p is the same on nodes 2 and 3" mn_same_stat blue "2 3"
printf '%s\n' "$MN_STAT" | sed 's/^/# /'
t_check "d10 is there" sh -c "printf '%s\n' \"\$1\" | grep -q '^blue/d10 1 1 '" _ "$MN_STAT"
# The real command's id: the last BC_CMD node 3 sent.
id=$(ocl exec 3 sed -n 's/^sent BC_CMD (\([0-9]*, [0-9-]*\)).*/\1/p' /run/oban/commd.out | tail -n 1)
t_check "node 3 sent the real command as ($id)" [ -n "$id" ]
ocl exec 2 grep -F "($id)" /run/oban/commd.out | sed 's/^/# node 2: /' 
for k in 2 3; do
	n=$(ocl exec $k grep -c "ran BC_CMD ($id)" /run/oban/commd.out)
	t_check "node $k ran it exactly once ($n)" [ "$n" = 1 ]
done
t_check "a second metainit d10 from node 2 fails (it exists)" \
	sh -c "! '$OCLUSTER' -d '$T_DIR' exec 2 metainit -s blue d10 1 1 '$T_DIR/shared/d2' 2>/dev/null"
t_check "metainit d11 from node 3 works" ocl exec 3 metainit -s blue d11 1 1 "$T_DIR/shared/d2"
t_check "metastat -p is the same on nodes 2 and 3" mn_same_stat blue "2 3"

t_down
t_done
