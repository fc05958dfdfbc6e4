#!/usr/bin/env bash
# t0120-mnset-renew-late: a renewal of the cluster-wide suspension answered
# after the lease it renews has ended fails the change: the nodes may have
# ended the suspension by themselves meanwhile, so going on would run the
# step after a gap in the suspension.
#
# Set blue on nodes 1..3, node 2 the master.  Node 3 withdraws with a lease
# of 3 s (OBAN_TEST_SUSPEND_LEASE), and the first renewal's answer taken
# to arrive 4 s late (OBAN_TEST_RENEW_LATE: metaset sleeps that long once
# it is answered).  metaset stops ("answered after its lease of 3 s
# ended"), exit 1, before the fix it went on with the withdraw.  Node 3
# is still an owner, every node's daemon answers again, and node 3
# withdraws afterwards.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || t_skip "test hooks are not built in (configure --enable-test-hooks)"
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 2
mn_setup "1 2 3"
mn_set blue 2 "2 1 3" "d1 d2"
mn_setno 2 blue


ocl exec 3 timeout -k 5 60 env OBAN_TEST_SUSPEND_LEASE=3 OBAN_TEST_RENEW_LATE=4 \
	metaset -s blue -w > "$T_DIR/w.out" 2>&1
rc=$?
t_log "node 3's metaset -w said: $(cat "$T_DIR/w.out")"
t_check "node 3's withdraw failed (exit $rc)" [ "$rc" = 1 ]
t_check "saying the renewal was answered after the lease ended" \
	grep -q "cannot renew the cluster-wide suspension: answered after its lease of 3 s ended" "$T_DIR/w.out"
t_check "node 3 is still an owner (seen from node 1)" sh -c \
	"'$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node3  *multi-owner'"
for k in 1 2 3; do
	t_check "node $k: ACK" mdc_ping_is "$setno" "$k" ACK
done
t_check "node 3 withdraws now" ocl exec 3 timeout -k 5 60 metaset -s blue -w
t_check "node 3 is no owner any more (seen from node 1)" sh -c \
	"! '$OCLUSTER' -d '$T_DIR' exec 1 metaset -s blue | grep -q '^  node3  *multi-owner'"

t_down
t_done
