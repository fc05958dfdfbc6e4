#!/usr/bin/env bash
# t0119-mnset-lease-retry: a metaset whose set messages mdcommd retries
# for longer than the cluster-wide suspension's lease stops before the
# lease ends, with an error that says so, and changes nothing.
#
# Set blue on nodes 1..3, node 2 the master.  Node 3 withdraws with a lease
# of 8 s (OBAN_TEST_SUSPEND_LEASE), holding the suspension 4 s first
# (OBAN_TEST_SUSPEND_HOLD).  Meanwhile the administrator suspends the admin
# set (33) on node 3's daemon (mdcctl suspend 33): node 3's next set
# messages are answered SUSPENDED by its own daemon and retried every
# second, so the renewal before the withdraw cannot go out.  metaset gives
# up before the lease ends ("cannot renew the cluster-wide suspension
# before its lease of 8 s ends"), exit 1 (before the fix it retried for
# ever, past the lease, and would have withdrawn unsuspended once the admin
# set was resumed).  Node 3 is still an owner, the nodes end the
# suspension by themselves, and after mdcctl resume 33 node 3 withdraws.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || t_skip "test hooks are not built in (configure --enable-test-hooks)"
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 2
mn_setup "1 2 3"
mn_set blue 2 "2 1 3" "d1 d2"
mn_setno 2 blue


# (bounded by timeout: without the fix metaset would retry for ever)
ocl exec 3 timeout -k 5 60 env OBAN_TEST_SUSPEND_HOLD=4 OBAN_TEST_SUSPEND_LEASE=8 \
	metaset -s blue -w > "$T_DIR/w.out" 2>&1 &
wpid=$!
t_check "node 1's daemon has the set suspended (node 3 holds it)" mdc_ping_is "$setno" 1 SUSPENDED
t_check "the admin set suspended on node 3's daemon" mdc 3 suspend 33
wait "$wpid"
rc=$?
t_log "node 3's metaset -w said: $(cat "$T_DIR/w.out")"
t_check "node 3's withdraw failed (exit $rc, not the timeout's 124)" [ "$rc" = 1 ]
t_check "saying the suspension could not be renewed before its lease ended" \
	grep -q "cannot renew the cluster-wide suspension before its lease of 8 s ends" "$T_DIR/w.out"
t_check "node 3 is still an owner (seen from node 1)" sh -c \
	"'$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node3  *multi-owner'"
for k in 1 2; do
	t_check "node $k ends the suspension by itself" mdc_ping_is "$setno" "$k" ACK
done
t_check "the admin set resumed on node 3's daemon" mdc 3 resume 33
t_check "node 3 withdraws now" ocl exec 3 timeout -k 5 60 metaset -s blue -w
t_check "node 3 is no owner any more (seen from node 1)" sh -c \
	"! '$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node3  *multi-owner'"
for k in 1 2; do
	t_check "node $k: ACK" mdc_ping_is "$setno" "$k" ACK
done

t_down
t_done
