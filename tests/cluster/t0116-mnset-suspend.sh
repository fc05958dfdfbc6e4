#!/usr/bin/env bash
# t0116-mnset-suspend: metaset suspends the set on every node while it
# changes the set's nodes, and a suspension always ends.
#
# Set blue on nodes 1..3, node 2 the master.  Node 3 withdraws with the
# test hook OBAN_TEST_SUSPEND_HOLD=10 (its metaset holds the suspension
# 10 s before sending the change): meanwhile a ping of the set is answered
# SUSPENDED on nodes 1 and 2 (not only on node 3, where metaset runs), and
# a metainit started on node 1 is held (it retries while SUSPENDED: d10
# does not exist anywhere); after the withdraw the set is resumed
# everywhere and the metainit completes (d10 on nodes 1 and 2, the same
# metastat -p).  Then node 3 joins with a hold of 30 s and a lease of 8 s
# (OBAN_TEST_SUSPEND_LEASE) and its metaset is killed while it holds the
# suspension: without any resume, every node's daemon ends the suspension
# when the lease runs out (a ping is ACK again on nodes 1 and 2; node 3,
# never joined, logs the release), and node 3
# then joins normally.  Last, one metaset at a time: while node 3 holds
# the suspension (a withdraw held 25 s), a withdraw from node 1 fails
# naming node 3, and the set stays suspended until node 3 resumes it; a
# join of node 2, already joined, returns at once (no suspension).
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || t_skip "test hooks are not built in (configure --enable-test-hooks)"
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 2
mn_setup "1 2 3"
mn_set blue 2 "2 1 3" "d1 d2"
mn_setno 2 blue
mdc_expect "ping from node 1: ACK" "set $setno: ACK" 1 ping "$setno"


ocl exec 3 env OBAN_TEST_SUSPEND_HOLD=10 metaset -s blue -w > "$T_DIR/w.out" 2>&1 &
wpid=$!
t_check "node 1's daemon has the set suspended" mdc_ping_is "$setno" 1 SUSPENDED
t_check "node 2's daemon (the master) has it suspended" mdc_ping_is "$setno" 2 SUSPENDED
ocl exec 1 metainit -s blue d10 1 1 "$T_DIR/shared/d1" > "$T_DIR/i.out" 2>&1 &
ipid=$!
sleep 2
t_check "the metainit from node 1 is held" kill -0 "$ipid"
t_check "d10 exists on no node meanwhile" sh -c "! '$OCLUSTER' -d '$T_DIR' exec 2 metastat -s blue -p | grep -q '^blue/d10 '"
mn_held_done "$wpid" "node 3's withdraw" "$ipid" 1 "1 2" "$setno"

# An initiator that dies while it holds the suspension: the leases end it.
# ocluster exec execs down to metaset itself: $jpid is metaset's pid.
( exec "$OCLUSTER" -d "$T_DIR" exec 3 env OBAN_TEST_SUSPEND_HOLD=30 \
	OBAN_TEST_SUSPEND_LEASE=8 metaset -s blue -j > "$T_DIR/j.out" 2>&1 ) &
jpid=$!
t_check "node 1's daemon has the set suspended again" mdc_ping_is "$setno" 1 SUSPENDED
t_check "pid $jpid is metaset" grep -q '^metaset$' "/proc/$jpid/comm"
kill -KILL "$jpid"
t_check "node 3's metaset -j is gone (killed while it holds the suspension)" \
	t_pid_gone "$jpid"
wait "$jpid" 2>/dev/null
for k in 1 2; do
	t_check "node $k resumes by itself when the lease ends" mdc_ping_is "$setno" "$k" ACK
done
t_check "node 1's daemon said so" grep -q "lease ran out without a resume: released on node 1" \
	"$T_DIR/node1/log/mdcommd.log"
# Node 3 never joined (its metaset died first): its daemon knows no master
# of the set, so its ping is no ACK; its daemon says it released the hold.
t_check "node 3's daemon released the hold by itself" mdc_wait grep -q \
	"lease ran out without a resume: released on node 3" "$T_DIR/node3/log/mdcommd.log"
t_check "node 3 joins again" ocl exec 3 metaset -s blue -j
t_check "node 3: ACK once joined" mdc_ping_is "$setno" 3 ACK
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"

# One metaset at a time: node 3 withdraws holding the suspension 25 s; a
# withdraw from node 1 meanwhile waits 10 s, fails naming node 3, and its
# resume does not end node 3's suspension.
ocl exec 3 env OBAN_TEST_SUSPEND_HOLD=25 metaset -s blue -w > "$T_DIR/w2.out" 2>&1 &
w2pid=$!
t_check "node 2's daemon has the set suspended (node 3 holds it)" mdc_ping_is "$setno" 2 SUSPENDED
second_refused()
{
	! ocl exec 1 metaset -s blue -w > "$T_DIR/w1.out" 2>&1 &&
		grep -q "set 'blue' is being changed by node 3" "$T_DIR/w1.out"
}
t_check "node 1's metaset -w is refused meanwhile" second_refused
t_log "node 1 said: $(cat "$T_DIR/w1.out")"
# A join that is a no-op by the node's own records suspends nothing: it
# does not wait for node 3's hold.
t_check "node 2 (joined) joins again at once, a no-op" ocl exec 2 timeout 5 metaset -s blue -j
t_check "node 1's daemon: still suspended after node 1's failed change" sh -c \
	"'$OCLUSTER' -d '$T_DIR' exec 1 '$MDC_CTL' ping $setno 2>&1 | grep -qi SUSPENDED"
t_check "node 2's daemon: still suspended" sh -c \
	"'$OCLUSTER' -d '$T_DIR' exec 2 '$MDC_CTL' ping $setno 2>&1 | grep -qi SUSPENDED"
t_check "node 1 is still an owner" sh -c "'$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node1  *multi-owner'"
wait "$w2pid"
rc=$?
t_check "node 3's withdraw succeeded ($(cat "$T_DIR/w2.out"))" [ $rc = 0 ]
# (node 3 withdrew: its daemon knows no master of the set, no ping there)
for k in 1 2; do
	t_check "node $k: ACK after node 3's resume" mdc_ping_is "$setno" "$k" ACK
done

t_down
t_done
