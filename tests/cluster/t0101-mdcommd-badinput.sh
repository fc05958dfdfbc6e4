#!/usr/bin/env bash
# t0101-mdcommd-badinput: bad input against running mdcommd daemons on
# three corosync nodes; after each kind the daemons still serve.
#
# - Clients that are not root: `nobody` is refused every call; `nobody`
#   in the oban-monitor group (created on node 1 only) may call STATUS and
#   PING but not SEND.
# - The RPC socket: well-formed calls with a bad RPC version, program,
#   version, procedure or arguments (short, a huge or too-long payload)
#   get the matching RPC error reply; random bytes, a huge record mark, a
#   short record, a garbage call and a REPLY sent as a call get no answer
#   and the connection closed (tests/cluster/t01-rpcgarbage.py).
# - The CPG group: tests/cluster/mdcinject multicasts, from node 2, 5 each
#   of truncated, oversized, unknown-type, wrong-set, bad-checksum,
#   bad-magic, wrong-sender and random packets; every daemon counts exactly
#   those 40 as bad packets (status), writes each reason to its debug file,
#   runs none of them, and answers pings afterwards.
. "$(dirname "$0")/test-lib.sh"
t_require_cluster
command -v python3 >/dev/null || t_skip "python3 is not installed"
command -v setpriv >/dev/null || t_skip "setpriv is not installed"
. "$T_HERE/t01-mdc-lib.sh"
INJECT=$OBAN_BUILDDIR/tests/cluster/mdcinject
[ -x "$INJECT" ] || t_fail "tests/cluster/mdcinject is not built"

t_up 3
t_check "an oban-monitor group on node 1" \
	ocl exec 1 groupadd -g 4242 oban-monitor
mdc_start "1 2 3"
for k in 1 2 3; do
	t_check "node $k's daemon sees 3 members" mdc_wait_members $k 3
	mdc_expect "node $k names node 1 master of set 1" "^ACK" $k setmaster 1 1
done
mdc_expect "ping from node 3" "set 1: ACK" 3 ping 1
declare -A pid
for k in 1 2 3; do
	pid[$k]=$(cut -d' ' -f1 "$T_DIR/node$k/pids/mdcommd.pid")
done

# --- clients that are not root ---
asnobody()
{
	local k=$1 groups=$2
	shift 2
	ocl exec "$k" setpriv --reuid=65534 --regid=65534 $groups \
		timeout 30 "$MDC_CTL" "$@" 2>&1
}
for args in "status" "ping 1" "send 1 TEST2 1" "suspend 1" "setmaster 1 2"; do
	out=$(asnobody 2 --clear-groups $args)
	if [ $? -ne 0 ] && printf '%s' "$out" | grep -qi "denied\|permission\|refused"; then
		t_ok "nobody on node 2: '$args' refused ($out)"
	else
		t_fail "nobody on node 2: '$args' not refused: $out"
	fi
done
out=$(asnobody 1 --groups=4242 status) &&
	t_ok "nobody in oban-monitor on node 1 may read the status" ||
	t_fail "nobody in oban-monitor: status: $out"
out=$(asnobody 1 --groups=4242 ping 1) &&
	t_ok "nobody in oban-monitor on node 1 may ping" ||
	t_fail "nobody in oban-monitor: ping: $out"
for args in "send 1 TEST2 1" "suspend 1" "abort 1"; do
	out=$(asnobody 1 --groups=4242 $args)
	if [ $? -ne 0 ] && printf '%s' "$out" | grep -qi "denied\|permission\|refused"; then
		t_ok "nobody in oban-monitor: '$args' refused"
	else
		t_fail "nobody in oban-monitor: '$args' not refused: $out"
	fi
done
t_check "set 1 is not suspended on node 2" mdc 2 send 1 TEST2 0x201

# --- garbage on the RPC socket ---
runs_before=$(mdc_status_field 1 runs)
out=$(ocl exec 1 python3 "$T_HERE/t01-rpcgarbage.py" /run/oban/mdcommd.sock 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && t_ok "12 kinds of RPC garbage: errors or closed connections" ||
	t_fail "RPC garbage"
t_check "node 1's daemon is the same process" kill -0 "${pid[1]}"
t_check "no garbage call ran" [ "$(mdc_status_field 1 runs)" = "$runs_before" ]
mdc_expect "node 1 still pings" "set 1: ACK" 1 ping 1
mdc_expect "node 1 still sends" "ACK exit 0" 1 send 1 TEST3 1

# --- bad packets in the CPG group ---
declare -A bad runs
for k in 1 2 3; do
	bad[$k]=$(mdc_status_field $k "bad packets")
	runs[$k]=$(mdc_status_field $k runs)
done
kinds="truncated oversized unknown-type wrong-set bad-csum bad-magic wrong-sender garbage"
out=$(ocl exec 2 "$INJECT" -n 5 -s 7 $kinds 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
t_check "40 bad packets multicast from node 2" \
	[ "$(printf '%s\n' "$out" | grep -c '^sent 5 ')" = 8 ]
count_is()
{
	[ "$(mdc_status_field "$1" "bad packets")" = "$2" ]
}
for k in 1 2 3; do
	want=$((bad[$k] + 40))
	mdc_wait count_is $k $want
	got=$(mdc_status_field $k "bad packets")
	t_check "node $k counted the 40 bad packets ($got)" [ "$got" = "$want" ]
	t_check "node $k ran none of them" [ "$(mdc_status_field $k runs)" = "${runs[$k]}" ]
	t_check "node $k's daemon is the same process" kill -0 "${pid[$k]}"
done
for reason in "truncated header" "bytes for a payload of" "cannot decode packet: payload of" \
	"trailing bytes" "message type 999" "set $((32 + 7))" "bad checksum" "bad magic" \
	"sender does not match"; do
	t_check "node 3's debug file names '$reason'" \
		ocl exec 3 grep -q -- "$reason" /run/oban/commd.out
done
for k in 1 2 3; do
	mdc_expect "node $k still pings" "set 1: ACK" $k ping 1
done
mdc_expect "node 2 still sends" "ACK exit 0" 2 send 1 TEST4 1

t_down
t_done
