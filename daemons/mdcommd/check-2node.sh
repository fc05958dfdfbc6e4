#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# daemons/mdcommd/check-2node.sh: mdcommd over a real two-node corosync
# cluster on this machine (run as root from a built tree; not part of
# "make check", which must not need root or corosync).
#
# Two corosync 3 instances, each in its own network and mount namespace
# (doc: reference test-infrastructure.md section 7), one mdcommd per node
# with its own OBAN_RUNDIR/OBAN_ETCDIR, driven with mdcctl.  Checks: both
# daemons see two members; a NO_LOG message from either node runs on both;
# a logged message for a set these nodes do not have is refused LOG_FAIL; a
# FAIL_ON_SUSPEND send is refused while suspended; killing one node's
# corosync takes quorum away (NOQUORUM); SIGTERM stops a daemon and removes
# its socket.  Everything it starts is stopped and removed on exit.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/daemons/mdcommd
tag=mdc$$
net=10.198.$((RANDOM % 200 + 20))
work=$(mktemp -d /tmp/mdcommd-check.XXXXXX)
fails=0

cleanup() {
	for f in "$work"/n*/mdcommd.pid "$work"/n*/corosync.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null
	done
	for n in 1 2; do ip netns del ${tag}_n$n 2>/dev/null; done
	ip netns del ${tag}_hub 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "check-2node: must run as root" >&2; exit 77; }
command -v corosync >/dev/null || { echo "check-2node: no corosync" >&2; exit 77; }
[ -x "$bin/mdcommd" ] && [ -x "$bin/mdcctl" ] || { echo "check-2node: build first" >&2; exit 77; }

ip netns add ${tag}_hub
ip -n ${tag}_hub link add br0 type bridge
ip -n ${tag}_hub link set br0 up
for n in 1 2; do
	d=$work/n$n
	mkdir -p "$d/run" "$d/lib" "$d/oban" "$d/etc"
	ip netns add ${tag}_n$n
	ip link add ${tag}v$n type veth peer name eth0 netns ${tag}_n$n
	ip link set ${tag}v$n netns ${tag}_hub
	ip -n ${tag}_hub link set ${tag}v$n master br0 up
	ip -n ${tag}_n$n addr add $net.$n/24 dev eth0
	ip -n ${tag}_n$n link set eth0 up
	ip -n ${tag}_n$n link set lo up
	cat > "$d/corosync.conf" <<EOC
totem {
	version: 2
	cluster_name: $tag
	transport: knet
	crypto_cipher: none
	crypto_hash: none
	token: 1000
}
nodelist {
	node {
		ring0_addr: $net.1
		nodeid: 1
		name: n1
	}
	node {
		ring0_addr: $net.2
		nodeid: 2
		name: n2
	}
}
quorum {
	provider: corosync_votequorum
}
logging {
	to_logfile: yes
	logfile: $d/corosync.log
	to_syslog: no
	to_stderr: no
}
system {
	run_dir: $d/run
	state_dir: $d/lib
}
EOC
	printf 'commd_verbosity 0xffff\ncommd_out_file %s/commd.out\n' "$d" > "$d/etc/runtime.cf"
	ip netns exec ${tag}_n$n unshare -m sh -c \
		"mount --make-rprivate / && mount --bind $d/run /run && exec corosync -f -c $d/corosync.conf" \
		> "$d/corosync.out" 2>&1 &
	echo $! > "$d/corosync.pid"
done

on() { # on NODE CMD...: run in that node's namespaces with its oban dirs
	local n=$1; shift
	ip netns exec ${tag}_n$n env OBAN_RUNDIR=$work/n$n/oban OBAN_ETCDIR=$work/n$n/etc "$@"
}
start() { # start NODE CMD...: as on(), in the background, pid = the command
	local n=$1; shift
	exec ip netns exec ${tag}_n$n env OBAN_RUNDIR=$work/n$n/oban OBAN_ETCDIR=$work/n$n/etc "$@"
}
expect() { # expect "WHAT" "PATTERN" NODE ARGS...: mdcctl output must match
	local what=$1 pat=$2 n=$3; shift 3
	local out
	out=$(on "$n" "$bin/mdcctl" "$@" 2>&1)
	if printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "ok   $what"
	else
		echo "FAIL $what: node $n: mdcctl $*: $out"
		fails=$((fails + 1))
	fi
}

for _ in $(seq 100); do
	ip netns exec ${tag}_n1 corosync-quorumtool -s 2>/dev/null | grep -q 'Quorate: *Yes' && break
	sleep 0.2
done
for n in 1 2; do
	(start $n "$bin/mdcommd") > "$work/n$n/mdcommd.out" 2>&1 &
	echo $! > "$work/n$n/mdcommd.pid"
done
for _ in $(seq 100); do
	[ -S "$work/n1/oban/mdcommd.sock" ] && [ -S "$work/n2/oban/mdcommd.sock" ] && break
	sleep 0.1
done
sleep 1

expect "node 1 sees two members" "node 1, 2 members" 1 status
expect "node 2 sees two members" "node 2, 2 members" 2 status
expect "node 1 names the master" "^ACK" 1 setmaster 1 1
expect "node 2 names the master" "^ACK" 2 setmaster 1 1
expect "ping from node 2" "set 1: ACK" 2 ping 1
expect "NO_LOG TEST2 from node 2" "ACK exit 0" 2 send 1 TEST2 1
expect "NO_LOG TEST3 from node 1" "ACK exit 0" 1 send 1 TEST3 1
expect "ping, TEST2, TEST3 ran on node 1" "runs 3" 1 status
expect "ping, TEST2, TEST3 ran on node 2" "runs 3" 2 status
expect "logged TEST1 refused: set 1 unknown, no change log" "change log" 2 send 1 TEST1
expect "suspend node 2" "^ACK" 2 suspend 1
expect "FAIL_ON_SUSPEND refused" "suspended" 2 send 1 TEST2 0x201
expect "resume node 2" "^ACK" 2 resume 1
expect "sends again" "ACK exit 0" 2 send 1 TEST2 1

# Node 2's corosync dies: node 1 alone has no quorum.
pid=$(cat "$work/n2/corosync.pid")
kill -KILL "$pid"
for _ in $(seq 100); do
	ip netns exec ${tag}_n1 corosync-quorumtool -s 2>/dev/null | grep -q 'Quorate: *No' && break
	sleep 0.2
done
sleep 1
expect "no quorum: refused" "no quorum" 1 send 1 TEST2 1

# SIGTERM stops a daemon and removes its socket.
kill -TERM "$(cat "$work/n1/mdcommd.pid")"
for _ in $(seq 50); do [ -S "$work/n1/oban/mdcommd.sock" ] || break; sleep 0.1; done
if [ -S "$work/n1/oban/mdcommd.sock" ]; then
	echo "FAIL SIGTERM: socket still there"; fails=$((fails + 1))
else
	echo "ok   SIGTERM stops mdcommd"
fi

[ $fails -eq 0 ] && echo "check-2node: all passed" || echo "check-2node: $fails failed"
exit $((fails != 0))
