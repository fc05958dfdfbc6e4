#!/usr/bin/env bash
# t0003-cleanup: ocluster leaves nothing behind when things go wrong.
#   - corosync fails to start: up fails with a message, removes everything;
#   - up is SIGKILLed half way: down, from whatever state is there, removes
#     everything;
#   - the owner of a run dies: reap removes that run and leaves a run whose
#     owner lives alone;
#   - ocluster run: the cluster exists while the command runs, not after.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster

scratch=$(mktemp -d)
t_at_exit 'rm -rf "$scratch"'
# Our own DIRs (-d) stay after down, by design: ignore them, not their mounts.
left()
{
	t_leftovers "$@" | grep -v '^state directory: '
}

# 1. corosync cannot start.
out=$(OCLUSTER_COROSYNC=/bin/false "$OCLUSTER" up -n 2 -d "$scratch/a" --owner $$ --timeout 5 2>&1)
rc=$?
rid=$(sed -n 's/.*run \([0-9a-f]\{6\}\).*/\1/p' <<<"$out" | head -n 1)
echo "$out" | sed 's/^/# /'
t_check "up fails when corosync cannot start" [ $rc -ne 0 ]
t_check "... and says so" grep -q "up failed; tearing down run $rid" <<<"$out"
t_check "... and leaves nothing of run $rid" [ -n "$rid" ] && [ -z "$(left "$rid" "$scratch/a")" ]

# 2. up dies half way (whatever "half way" is on this machine today).
"$OCLUSTER" up -n 3 -d "$scratch/b" --owner $$ >/dev/null 2>&1 &
upid=$!
for ((i = 0; i < 100; i++)); do
	[ -d "$scratch/b/node2" ] && break
	sleep 0.05
done
kill -KILL $upid
wait $upid 2>/dev/null
rid=$(sed -n 's/^OCL_RUNID=//p' "$scratch/b/ocluster.env" 2>/dev/null)
t_check "a killed up left a run to clean ($rid)" [ -n "$rid" ]
t_check "down after a killed up" "$OCLUSTER" -d "$scratch/b" down
t_check "... leaves nothing of run $rid" [ -z "$(left "$rid" "$scratch/b")" ]

# 3. reap: a run whose owner died, beside one whose owner lives.
sleep 1000 &
owner=$!
t_at_exit "kill $owner 2>/dev/null"
T_DIR=$("$OCLUSTER" up -n 2 --owner $owner) || t_fail "up with a short-lived owner"
dead_rid=$(sed -n 's/^OCL_RUNID=//p' "$T_DIR/ocluster.env")
dead_dir=$T_DIR
t_at_exit "'$OCLUSTER' reap $dead_rid >/dev/null 2>&1"
t_up 2 # this run's owner is the test itself
t_check "reap leaves runs with live owners alone" "$OCLUSTER" reap
t_check "... both runs still quorate" \
	"$OCLUSTER" -d "$dead_dir" wait-quorum "1 2"
ocl wait-quorum "1 2" || t_fail "the test's own run lost quorum"
kill $owner
wait $owner 2>/dev/null
t_check "reap after the owner died" "$OCLUSTER" reap
t_check "... removed that run entirely" [ -z "$(t_leftovers "$dead_rid" "$dead_dir")" ]
t_check "... and not ours" ocl wait-quorum "1 2"
t_down

# 4. ocluster run.
out=$("$OCLUSTER" run -n 2 -- sh -c '"$0" members 2 && echo "dir=$OCLUSTER_DIR"' "$OCLUSTER" 2>/dev/null)
rc=$?
t_check "run: the command sees the cluster" [ $rc -eq 0 ] && grep -qx "members=1,2 quorate=yes" <<<"$out"
rdir=$(sed -n 's/^dir=//p' <<<"$out")
t_check "run: the cluster is gone afterwards" [ -n "$rdir" ] && [ ! -e "$rdir" ]
"$OCLUSTER" run -n 1 -- false 2>/dev/null
t_check "run: passes the command's failure" [ $? -eq 1 ]

t_done
