#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# daemons/mdcommd/check-3node.sh: configuration commands of a multi-owner
# set through mdcommd on a real three-node cluster (tests/cluster/ocluster).
# Root, from a built tree that also has the set area's cross-node metaset
# (run by hand; the numbered cluster scenarios are tests/cluster/t01*.sh).
#
# Checks: a set created from node 2, drives added, every node joined;
# metainit from nodes 3, 1, 2: metastat -p identical on every node; a dry
# run refused on node 1 by the test hook names node 1 and changes nothing;
# a command that fails (already exists) names the master and changes
# nothing; an injected result mismatch on node 3 makes the master leave
# after answering, and after metaclust step1 on the survivors the set goes
# on under the new master; the master killed between its change-log write
# and its answer (commd_test_log_delay), metaclust step1 on the survivors,
# step2 on the new master: the command has run exactly once everywhere and
# its change-log slot was replayed once.  Everything is torn down on exit.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export OBAN_BUILDDIR=$top
OC=$top/tests/cluster/ocluster
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
[ "$(id -u)" = 0 ] || { echo "check-3node: must be root" >&2; exit 77; }
[ -x "$top/cmds/metaclust" ] || { echo "check-3node: build first" >&2; exit 77; }

OCLUSTER_DIR=$("$OC" up -n 3) || exit 1
export OCLUSTER_DIR
trap '"$OC" down >/dev/null 2>&1' EXIT
S=$OCLUSTER_DIR/shared
on() { local k=$1; shift; "$OC" exec "$k" "$@"; }
hup() { kill -HUP "$(cut -d' ' -f1 "$OCLUSTER_DIR/node$1/pids/mdcommd.pid")"; sleep 1; }
alive() { kill -0 "$(cut -d' ' -f1 "$OCLUSTER_DIR/node$1/pids/mdcommd.pid")" 2>/dev/null; }
same() { # same NODES...: metastat -p identical on all, into $last
	local k first=""
	for k in "$@"; do
		on "$k" metastat -s blue -p > "$OCLUSTER_DIR/p$k" 2>&1
		[ -z "$first" ] && first=$k && continue
		cmp -s "$OCLUSTER_DIR/p$first" "$OCLUSTER_DIR/p$k" || return 1
	done
	last=$(cat "$OCLUSTER_DIR/p$first")
}

for d in a b c d e; do truncate -s 300M "$S/$d"; done
for k in 1 2 3; do
	on $k sh -c "mkdir -p /run/oban && printf 'drive_glob $S/*\ncommd_inconsistency_action leave\n' > /etc/oban/runtime.cf &&
		printf '1 node1 10.99.0.1\n2 node2 10.99.0.2\n3 node3 10.99.0.3\n' > /run/oban/nodelist"
	"$OC" spawn $k mdcommd mdcommd
done
sleep 2
on 2 metaset -s blue -M -a -h node1 node2 node3 && on 2 metaset -s blue -a "$S/a" "$S/b" "$S/c" "$S/d" "$S/e" &&
	on 1 metaset -s blue -j && on 2 metaset -s blue -j && on 3 metaset -s blue -j &&
	ok "set created from node 2, drives added, all joined" || bad "set setup"
master=$(on 3 metaset -s blue | sed -n 's/.*Master = node\([0-9]\).*/\1/p')

on 3 metainit -s blue d10 1 1 "$S/a" > /dev/null && on 1 metainit -s blue d11 1 1 "$S/b" > /dev/null &&
	on 2 metainit -s blue d12 -m d10 d11 > /dev/null && ok "metainit from nodes 3, 1, 2" || bad "metainit"
same 1 2 3 && echo "$last" | grep -q 'blue/d12 -m blue/d10 blue/d11' && ok "metastat -p identical on every node" ||
	bad "metastat -p differs"
before=$last

on 1 sh -c "echo 'commd_test_dryrun_fail 1' >> /etc/oban/runtime.cf"; hup 1
out=$(on 3 metainit -s blue d20 1 1 "$S/c" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q 'on node 1' && ok "dry run refused on node 1: $out" || bad "dry run hook: $out"
same 1 2 3 && [ "$last" = "$before" ] && ok "nothing changed anywhere" || bad "the refused dry run changed something"
on 1 sh -c "sed -i '/commd_test_dryrun_fail/d' /etc/oban/runtime.cf"; hup 1
out=$(on 3 metainit -s blue d10 1 1 "$S/c" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q "already exists.*on node $master" && ok "a failing command names the master: $out" ||
	bad "failing command: $out"

# An injected mismatch: the master answers, then leaves; the others go on.
on 3 sh -c "echo 'commd_test_result_differ 1' >> /etc/oban/runtime.cf"; hup 3
out=$(timeout 60 "$OC" exec 1 metainit -s blue d30 1 1 "$S/c" 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'on node 3' && ok "mismatch answered: $out" || bad "mismatch: rc $rc: $out"
sleep 2
alive "$master" && bad "master $master still running after the mismatch" || ok "master $master left (inconsistency action)"
grep -q 'differs between this master' "$OCLUSTER_DIR/node$master/log/mdcommd.log" && ok "both results logged" ||
	bad "no log of the mismatch"
on 3 sh -c "sed -i '/commd_test_result_differ/d' /etc/oban/runtime.cf"; hup 3
surv=""
for k in 1 2 3; do [ $k != "$master" ] && surv="$surv $k"; done
for k in $surv; do on $k metaclust -s blue step1; done > "$OCLUSTER_DIR/step1.out"
new=$(sed -n '1s/.*master is node //p' "$OCLUSTER_DIR/step1.out")
[ "$(sort -u "$OCLUSTER_DIR/step1.out" | wc -l)" = 1 ] && ok "survivors agree: master $new" || bad "step1: $(cat "$OCLUSTER_DIR/step1.out")"
on "$new" metaclust -s blue step2 > /dev/null || bad "step2 on $new"
on $((new == 1 ? 3 : 1)) metainit -s blue d31 1 1 "$S/d" > /dev/null && same $surv && echo "$last" | grep -q 'blue/d31 ' &&
	echo "$last" | grep -q 'blue/d30 ' && ok "the survivors carry on: identical, with d30 and d31" || bad "after the mismatch: $last"

# Kill the master between its change-log write and its answer, with the
# command started on the master itself: only the change log remembers it.
on "$new" sh -c "echo 'commd_test_log_delay 4000' >> /etc/oban/runtime.cf"; hup "$new"
init=$((new == 1 ? 3 : 1))
( timeout 60 "$OC" exec "$new" metainit -s blue d40 1 1 "$S/e" > /dev/null 2>&1 ) &
sleep 2
"$OC" kill "$new"
wait
for _ in $(seq 100); do # until this node's mdcommd sees the membership change
	on $init mdcctl status | grep -q ', 1 members' && break
	sleep 0.2
done
on $init metaclust -s blue step1 > /dev/null && on $init metaclust -s blue step2 > "$OCLUSTER_DIR/step2.out" &&
	grep -q '1 logged message replayed' "$OCLUSTER_DIR/step2.out" &&
	ok "after the kill: $(cat "$OCLUSTER_DIR/step2.out")" || bad "step1/step2 after the kill: $(cat "$OCLUSTER_DIR/step2.out")"
[ "$(on $init metastat -s blue -p | grep -c 'blue/d40 ')" = 1 ] && ok "d40 was created by the replay" || bad "d40 missing"
out=$(on $init metainit -s blue d40 1 1 "$S/e" 2>&1)
[ $? = 1 ] && echo "$out" | grep -q 'already exists' && ok "and only once: $out" || bad "d40 again: $out"
runs=$(on $init mdcctl status | sed -n 's/.*runs \([0-9]*\).*/\1/p')
echo "     node $init status: $(on $init mdcctl status)"

[ $fails = 0 ] && echo "check-3node: all passed" || echo "check-3node: $fails failed"
exit $((fails != 0))
