#!/usr/bin/env bash
# t0118-mnset-fence: the inconsistency action "fence" runs the fence
# command of runtime.cf, and falls back to leaving when it fails.
#
# As t0112 (a result made to differ on node 3 by the test hook
# commd_test_result_differ), with commd_inconsistency_action fence and
# commd_fence_command naming a script that records its arguments in a
# marker file.  Master node 1: after `metainit d10` from node 2 the marker
# on node 1 reads "1 node1" (the node's id and name), its daemon says the
# fence command was done, and it leaves.  Then node 2 is master (step1,
# step2) with a fence command that fails (exit 3) and, in runtime.cf
# re-read on SIGHUP, the action "leave" (the action is taken at start: it
# still fences): after the next difference its daemon says the command
# failed and leaves the cluster instead.  The fence command runs in a
# process group of its own, SIGPIPE not ignored, with ordinary scheduling
# (mdcommd itself runs SCHED_RR at priority 1, checked first).
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
[ "${OBAN_TEST_HOOKS:-yes}" = yes ] || t_skip "test hooks are not built in (configure --enable-test-hooks)"
. "$T_HERE/t01-mdc-lib.sh"

t_up 3
cat > "$T_DIR/fence-ok" <<'EOS'
#!/bin/sh
echo "$@" > /run/oban/fenced
# Its process group and ignored signals (SigIgn, hex).
# And its scheduling policy (field 41 of stat; 0: SCHED_OTHER).
echo "$$ $(cut -d' ' -f5 /proc/$$/stat) $(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status) $(cut -d' ' -f41 /proc/$$/stat)" > /run/oban/fence-proc
EOS
cat > "$T_DIR/fence-fail" <<'EOS'
#!/bin/sh
echo "$@" > /run/oban/fenced
exit 3
EOS
chmod +x "$T_DIR/fence-ok" "$T_DIR/fence-fail"
mn_drives 3
MN_RUNTIME_EXTRA="commd_inconsistency_action fence\ncommd_fence_command $T_DIR/fence-ok\n" \
	mn_setup "1 2 3"
mn_set blue 1 "1 2 3" "d1 d2 d3"
pid1=$(mdc_pid 1)
# mdcommd runs SCHED_RR (policy 2) at priority 1 by default (runtime.cf
# commd_rt_priority), every thread; /proc/PID/stat fields 40 and 41.
# Where real-time priority is refused (no CAP_SYS_NICE, no real-time
# budget in the cgroup) the daemon runs with ordinary scheduling: skipped.
rt=yes
ocl exec 1 chrt -r 1 true >/dev/null 2>&1 || rt=no
if [ $rt = yes ]; then
	t_check "node 1's mdcommd runs SCHED_RR at priority 1, every thread" \
		sh -c "for f in /proc/$pid1/task/*/stat; do [ \"\$(cut -d' ' -f40,41 \"\$f\")\" = '1 2' ] || exit 1; done"
else
	echo "# real-time priority refused here: the daemon's scheduling is not checked"
fi

set_key() # set_key K KEY VALUE: one runtime.cf line on node K, then SIGHUP
{
	ocl exec "$1" sh -c "sed -i '/^$2/d' /etc/oban/runtime.cf && echo '$2 $3' >> /etc/oban/runtime.cf" &&
		kill -HUP "$(mdc_pid "$1")"
}
t_check "result hook on node 3" set_key 3 commd_test_result_differ 1
sleep 1
ocl exec 2 timeout 60 metainit -s blue d10 1 1 "$T_DIR/shared/d1" >"$T_DIR/i1.out" 2>&1 &
ipid=$!
t_check "the master's mdcommd left" t_pid_gone "$pid1"
t_check "the fence command ran on node 1 with its id and name" \
	[ "$(ocl exec 1 cat /run/oban/fenced)" = "1 node1" ]
t_check "and node 1's daemon said so" \
	grep -q "fence command $T_DIR/fence-ok 1 node1: done" "$T_DIR/node1/log/mdcommd.log"
read -r fpid fpgrp fign fpol < <(ocl exec 1 cat /run/oban/fence-proc)
t_check "the fence command ran in a process group of its own ($fpid $fpgrp)" \
	[ -n "$fpid" ] && [ "$fpid" = "$fpgrp" ]
t_check "with SIGPIPE not ignored (SigIgn $fign)" \
	[ -n "$fign" ] && [ $((0x$fign & 0x1000)) = 0 ]
t_check "with ordinary scheduling, not the daemon's (policy $fpol)" \
	[ "$fpol" = 0 ]
t_check "no fence command ran on node 2" ocl exec 2 test ! -e /run/oban/fenced
wait "$ipid"

# Node 2 the master, with a fence command that fails.
t_check "hook off on node 3" set_key 3 commd_test_result_differ 0
t_check "node 2's daemon sees 2 members" mdc_wait_members 2 2
t_check "node 3's daemon sees 2 members" mdc_wait_members 3 2
for k in 2 3; do
	t_check "metaclust step1 on node $k" ocl exec $k metaclust -s blue step1
done
t_check "metaclust step2 on node 2" ocl exec 2 timeout 60 metaclust -s blue step2
t_check "node 2's fence command fails" set_key 2 commd_fence_command "$T_DIR/fence-fail"
# The action is the daemon's from its start (its core logs and takes it);
# a changed line and SIGHUP do not make the leave skip the fence command.
t_check "node 2's runtime.cf says leave now" set_key 2 commd_inconsistency_action leave
pid2=$(mdc_pid 2)
t_check "result hook on node 3 again" set_key 3 commd_test_result_differ 1
sleep 1
ocl exec 3 timeout 60 metainit -s blue d11 1 1 "$T_DIR/shared/d2" >"$T_DIR/i2.out" 2>&1 &
ipid=$!
t_check "node 2's mdcommd left" t_pid_gone "$pid2"
t_check "its fence command ran" [ "$(ocl exec 2 cat /run/oban/fenced)" = "2 node2" ]
t_check "and failed: node 2 left the cluster instead" \
	grep -q "fence command $T_DIR/fence-fail 2 node2 failed (exit 3): leaving the cluster instead" \
	"$T_DIR/node2/log/mdcommd.log"
t_check "node 3's mdcommd is still running" kill -0 "$(mdc_pid 3)"
wait "$ipid"

t_down
t_done
