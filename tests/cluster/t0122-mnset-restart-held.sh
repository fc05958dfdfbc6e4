#!/usr/bin/env bash
# t0122-mnset-restart-held: a daemon restarted while metaset holds the set
# on every node is held too, from its start to the resume (doc/mdcommd.md
# 7, "A daemon that restarts").
#
# Set blue on nodes 1..3, node 3 the master (so that no other node's hold
# stands between node 3's own messages and their run).  Node 1 withdraws
# holding the suspension 25 s (OBAN_TEST_SUSPEND_HOLD); meanwhile node 3's
# mdcommd is restarted: it knows no hold, and until node 1 renews (after
# the 25 s) nothing but the question for the holds in force makes it hold
# the set.  Its first ping that gets an answer is SUSPENDED (without the
# question: ACK), its log names node 1's hold, a metainit from node 3 is
# held (d10 appears nowhere) and completes after node 1's withdraw ended
# with its resume.  Then node 1 joins holding the suspension 40 s with a
# lease of 15 s (OBAN_TEST_SUSPEND_LEASE), node 3's mdcommd is restarted
# again and takes the hold, node 1's metaset is killed: without any resume
# node 3 ends the hold it learnt when its lease runs out (ping ACK, the log
# says so), like nodes 1 and 2.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || t_skip "test hooks are not built in (configure --enable-test-hooks)"
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 2
mn_setup "1 2 3"
mn_set blue 3 "3 1 2" "d1 d2"
mn_setno 3 blue
mdc_expect "ping from node 3 (the master): ACK" "set $setno: ACK" 3 ping "$setno"

# restart_3 - stop node 3's mdcommd, start it again, and tell nodes 1 and
# 2 that node 3 is the set's master again (as metaclust would: they saw
# it leave).
restart_3()
{
	local pid k
	pid=$(mdc_pid 3)
	t_check "stop node 3's mdcommd" ocl stop 3 mdcommd
	t_check "node 3's mdcommd is gone" t_pid_gone "$pid"
	mdc_spawn 3
	t_check "node 3's new daemon sees 3 members" mdc_wait_members 3 3
	for k in 1 2; do
		mdc_expect "node $k names node 3 master again" "^ACK" "$k" \
			setmaster "$setno" 3
	done
}

# first_ping K - node K's first ping of the set answered ACK or SUSPENDED
# (the restarted daemon needs a moment to find the set): into PING.
first_ping()
{
	local i
	PING=""
	for ((i = 0; i < 200; i++)); do
		PING=$("$OCLUSTER" -d "$T_DIR" exec "$1" "$MDC_CTL" ping "$setno" 2>&1)
		case $PING in *ACK* | *uspended*) return 0 ;; esac
		echo "# node $1: $PING"
		sleep 0.1
	done
	PING=""
}

ocl exec 1 env OBAN_TEST_SUSPEND_HOLD=25 metaset -s blue -w > "$T_DIR/w.out" 2>&1 &
wpid=$!
t_check "node 3's daemon has the set suspended" mdc_ping_is "$setno" 3 SUSPENDED
start=$(date +%s)
restart_3
first_ping 3
t_check "the restarted node 3 answers a ping" [ -n "$PING" ]
t_check "its first answer is SUSPENDED ($PING)" sh -c "printf '%s' \"\$1\" | grep -qi SUSPENDED" _ "$PING"
t_check "node 3's daemon took node 1's hold" mdc_wait grep -q \
	"a cluster-wide suspension by node 1 is in force: held on node 3 too" \
	"$T_DIR/node3/log/mdcommd.log"
ocl exec 3 metainit -s blue d10 1 1 "$T_DIR/shared/d1" > "$T_DIR/i.out" 2>&1 &
ipid=$!
sleep 2
t_check "the metainit from node 3 is held" kill -0 "$ipid"
for k in 2 3; do
	t_check "d10 does not exist on node $k meanwhile" sh -c \
		"! '$OCLUSTER' -d '$T_DIR' exec $k metastat -s blue -p | grep -q '^blue/d10 '"
done
t_check "all this before node 1's first renewal ($(($(date +%s) - start)) s of 25)" \
	[ $(($(date +%s) - start)) -lt 24 ]
mn_held_done "$wpid" "node 1's withdraw" "$ipid" 3 "2 3" "$setno"

# The holder dies after node 3 learnt its hold: the lease ends it there.
( exec "$OCLUSTER" -d "$T_DIR" exec 1 env OBAN_TEST_SUSPEND_HOLD=40 \
	OBAN_TEST_SUSPEND_LEASE=15 metaset -s blue -j > "$T_DIR/j.out" 2>&1 ) &
jpid=$!
t_check "node 3's daemon has the set suspended again" mdc_ping_is "$setno" 3 SUSPENDED
restart_3
first_ping 3
t_check "the restarted node 3 answers a ping" [ -n "$PING" ]
t_check "its first answer is SUSPENDED ($PING)" sh -c "printf '%s' \"\$1\" | grep -qi SUSPENDED" _ "$PING"
t_check "pid $jpid is metaset" grep -q '^metaset$' "/proc/$jpid/comm"
kill -KILL "$jpid"
t_check "node 1's metaset -j is gone (killed while it holds the suspension)" \
	t_pid_gone "$jpid"
wait "$jpid" 2>/dev/null
for k in 2 3; do
	t_check "node $k resumes by itself when the lease ends" mdc_ping_is "$setno" "$k" ACK
done
t_check "node 3's daemon said so" mdc_wait grep -q \
	"lease ran out without a resume: released on node 3" "$T_DIR/node3/log/mdcommd.log"

t_down
t_done
