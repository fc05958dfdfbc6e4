#!/usr/bin/env bash
# t0111-mnset-dryrun: a configuration command whose dry run fails on one
# node changes nothing anywhere.
#
# Set blue on three nodes (master node 1), d10 made.  mdcommd's test hook
# commd_test_dryrun_fail on node 2 (runtime.cf, SIGHUP) makes every BC_CMD
# dry run fail there.  `metainit d11` and `metainit d0 -m d10` from node 3
# then fail with node 2's error, printed once ("metainit: ... on node 2:
# reason", node 2 named once), and metastat -p is unchanged on every node;
# with the hook off again the same metainit works everywhere.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || t_skip "test hooks are not built in (configure --enable-test-hooks)"
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
mn_drives 3
mn_setup "1 2 3"
mn_set blue 1 "1 2 3" "d1 d2 d3"
t_check "metainit d10 from node 3" ocl exec 3 metainit -s blue d10 1 1 "$T_DIR/shared/d1"
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
before=$MN_STAT

hook()
{
	ocl exec 2 sh -c "sed -i '/^commd_test_dryrun_fail/d' /etc/oban/runtime.cf && echo 'commd_test_dryrun_fail $1' >> /etc/oban/runtime.cf" &&
		kill -HUP "$(mdc_pid 2)"
}
t_check "dry-run hook on node 2" hook 1
sleep 1 # the daemon re-reads runtime.cf within its 200 ms dispatch loop
for cmd in "d11 1 1 $T_DIR/shared/d2" "d0 -m d10"; do
	# shellcheck disable=SC2086
	out=$(ocl exec 3 metainit -s blue $cmd 2>&1)
	rc=$?
	want="metainit: test hook commd_test_dryrun_fail refused the dry run in set 'blue' on node 2: message failed on a node"
	[ $rc -eq 1 ] && [ "$out" = "$want" ] &&
		t_ok "metainit ${cmd%% *} from node 3 fails with node 2's error, named once ($out)" ||
		t_fail "metainit ${cmd%% *}: rc $rc: $out"
	t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
	t_check "and unchanged" [ "$MN_STAT" = "$before" ]
done
t_check "hook off on node 2" hook 0
sleep 1
t_check "metainit d11 from node 3 now works" \
	ocl exec 3 metainit -s blue d11 1 1 "$T_DIR/shared/d2"
t_check "metastat -p is the same on nodes 1, 2, 3" mn_same_stat blue "1 2 3"
t_check "with d10 and d11" \
	[ "$(printf '%s\n' "$MN_STAT" | grep -c '^blue/d1[01] ')" = 2 ]

t_down
t_done
