#!/usr/bin/env bash
# t0000-ocluster-selftest: the test cluster harness's own pure functions
# (names, sets, generated configuration) and its argument checking.  Needs
# no root and starts no cluster.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OCLUSTER=$HERE/ocluster
# shellcheck source=tests/cluster/ocluster-lib.sh
. "$HERE/ocluster-lib.sh"
n=0
bad=0
ok()
{
	n=$((n + 1))
	echo "ok $n - $*"
}
nok()
{
	n=$((n + 1))
	bad=1
	echo "not ok $n - $*"
}
# check WHAT CMD... ; eq WHAT GOT WANT ; fails WHAT MSGPART CMD...
check()
{
	local w=$1
	shift
	if "$@"; then ok "$w"; else nok "$w"; fi
}
eq()
{
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1: got '$2', want '$3'"; fi
}
fails()
{
	local w=$1 part=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [[ $out == *"$part"* ]]; then
		ok "$w"
	else
		nok "$w: rc $rc, output '$out', want failure with '$part'"
	fi
}

# Run ids and names.
ids=""
for i in $(seq 20); do
	r=$(ocl_gen_runid)
	ocl_is_runid "$r" || nok "run id '$r' is malformed"
	ids="$ids$r
"
done
eq "20 run ids, all well-formed and distinct" "$(printf '%s' "$ids" | sort -u | wc -l)" 20
check "a run id is exactly 6 hex digits" ocl_is_runid 0a9fff
check "uppercase is not a run id" eval '! ocl_is_runid 0A9FFF'
check "7 digits are not a run id" eval '! ocl_is_runid 0a9fff0'

longest=0
names=""
for k in 1 2 3 4 5; do
	for kind in h n; do
		nm=$(ocl_ifname ffffff $kind $k)
		names="$names $nm"
		[ ${#nm} -gt $longest ] && longest=${#nm}
	done
done
nm=$(ocl_ifname ffffff br)
names="$names $nm"
check "every interface name fits IFNAMSIZ (longest ${longest})" [ $longest -le 15 ] && [ ${#nm} -le 15 ]
eq "every interface name is distinct" "$(echo $names | tr ' ' '\n' | sort -u | wc -l)" 11
check "every interface name carries the run id" eval '[ -z "$(echo $names | tr " " "\n" | grep -v ffffff)" ]'
eq "hub namespace name" "$(ocl_ns_hub 0a1b2c)" ocl-0a1b2c-hub
eq "node namespace name" "$(ocl_ns_node 0a1b2c 4)" ocl-0a1b2c-n4
eq "veth name, hub side" "$(ocl_ifname 0a1b2c h 4)" ocl0a1b2ch4
fails "an unknown interface kind is an internal error" "unknown interface kind" ocl_ifname 0a1b2c q 1
eq "node address" "$(ocl_node_ip 5)" 10.99.0.5
eq "node name" "$(ocl_node_name 5)" node5

# Node sets.
eq "sets are sorted" "$(ocl_parse_set "3,1 2" 3)" "1 2 3"
eq "a one-node set" "$(ocl_parse_set " 2 " 5)" "2"
fails "the empty set is refused" "empty node set" ocl_parse_set "" 3
fails "node 0 is refused" "invalid node '0'" ocl_parse_set "0 1" 3
fails "a node beyond N is refused" "invalid node '4'" ocl_parse_set "1 4" 3
fails "a duplicate is refused" "node 2 appears twice" ocl_parse_set "2 1 2" 3
fails "garbage is refused" "invalid node 'x'" ocl_parse_set "1 x" 3
fails "a count of 6 is refused" "invalid node count '6'" ocl_check_count 6
fails "a count of 0 is refused" "invalid node count '0'" ocl_check_count 0
check "a count of 5 is accepted" ocl_check_count 5
fails "a daemon name with a slash is refused" "invalid daemon name" ocl_check_name "a/b"
fails "a daemon name starting with a dot is refused" "invalid daemon name" ocl_check_name ".x"
check "a daemon name like mdcommd.2 is accepted" ocl_check_name mdcommd.2
fails "timeout 0 is refused" "invalid timeout '0'" ocl_check_timeout 0
fails "timeout 1.5 is refused" "invalid timeout '1.5'" ocl_check_timeout 1.5

# corosync.conf for node 2 of 5.
conf=$(ocl_corosync_conf 0a1b2c 5 2 /S/state /L/corosync.log)
eq "five nodes in the nodelist" "$(grep -c 'nodeid:' <<<"$conf")" 5
eq "node ids 1 to 5" "$(sed -n 's/.*nodeid: //p' <<<"$conf" | tr '\n' ' ')" "1 2 3 4 5 "
check "node 5 at 10.99.0.5 named node5" \
	grep -Pzq 'ring0_addr: 10\.99\.0\.5\n\t\tname: node5\n\t\tnodeid: 5' <<<"$conf"
for key in "transport: knet" "token: 1000" "provider: corosync_votequorum" \
	"cluster_name: ocl-0a1b2c" "logfile: /L/corosync.log" "state_dir: /S/state" \
	"run_dir: /run/corosync" "crypto_cipher: none"; do
	check "corosync.conf has '$key'" grep -q "^[[:space:]]*$key\$" <<<"$conf"
done
eq "sections balance" "$(grep -c '{' <<<"$conf")" "$(grep -c '}' <<<"$conf")"
check "one key per line (the parser wants it)" \
	eval '[ -z "$(grep -E ":.*:" <<<"$conf" | grep -v "^#")" ]'
eq "/etc/hosts lines" "$(ocl_hosts 2 | tr '\t\n' ' |')" "10.99.0.1 node1|10.99.0.2 node2|"

holder=$(ocl_holder_script /D/node3 3)
for line in "mount -t tmpfs -o mode=0755,size=64m ocl-run /run" \
	"mount -t overlay ocl-etc -o lowerdir=/etc,upperdir=/D/node3/etc,workdir=/D/node3/work/etc /etc" \
	"mount -t overlay ocl-varlib -o lowerdir=/var/lib,upperdir=/D/node3/varlib,workdir=/D/node3/work/varlib /var/lib" \
	"hostname node3" "exec sleep infinity"; do
	check "holder script: $line" grep -qxF "$line" <<<"$holder"
done
check "the holder drops /run/netns before covering /run" \
	eval '[ "$(grep -n "umount -l /run/netns" <<<"$holder" | cut -d: -f1)" -lt "$(grep -n "ocl-run /run" <<<"$holder" | cut -d: -f1)" ]'
check "the holder script is valid sh" sh -n <<<"$holder"

# The command's argument checks (none of these touches the system).
unset OCLUSTER_DIR
fails "no command: usage" "usage: ocluster" "$OCLUSTER"
fails "an unknown command" "unknown command 'frob'" "$OCLUSTER" frob
fails "up -n 6" "invalid node count '6'" "$OCLUSTER" up -n 6
fails "up -n x" "invalid node count 'x'" "$OCLUSTER" up -n x
fails "up with an unknown option" "unexpected argument '--bogus'" "$OCLUSTER" up --bogus
fails "up with a dead owner" "is not a live process" "$OCLUSTER" up --owner 999999999
fails "up in /run is refused" "every node replaces" "$OCLUSTER" up -d /run/ocl-selftest-never
check "... and created nothing there" [ ! -e /run/ocl-selftest-never ]
fails "exec without a cluster" "no cluster: give -d DIR" "$OCLUSTER" exec 1 true
fails "exec in a directory with no cluster" "no cluster in '/nonexistent'" \
	"$OCLUSTER" -d /nonexistent exec 1 true
fails "exec without a command" "usage: ocluster exec" "$OCLUSTER" exec 1
fails "wait-quorum without a set" "no node set given" "$OCLUSTER" wait-quorum
fails "wait-quorum with a bad timeout" "invalid timeout '0'" "$OCLUSTER" wait-quorum --timeout 0 "1"
fails "wait-quorum with two sets" "give the set as one argument" "$OCLUSTER" wait-quorum 1 2
fails "run without --" "missing '--'" "$OCLUSTER" run -n 3 true

# A state directory that is not a run; and node numbers beyond N.
fake=$(mktemp -d)
printf 'OCL_RUNID=0a1b2c\nOCL_N=3\n' >"$fake/ocluster.env"
fails "node 4 of 3" "invalid node '4': this cluster has nodes 1 to 3" \
	"$OCLUSTER" -d "$fake" exec 4 true
fails "a node that is down" "node 2 is down" "$OCLUSTER" -d "$fake" exec 2 true
fails "spawn with a bad name" "invalid daemon name" "$OCLUSTER" -d "$fake" spawn 1 'a b' true
fails "stop of an unknown daemon" "no such daemon" "$OCLUSTER" -d "$fake" stop 1 nothere
fails "wait-quorum for a set beyond N" "invalid node '7'" "$OCLUSTER" -d "$fake" wait-quorum "1 7"
printf 'OCL_RUNID=../../x\nOCL_N=3\n' >"$fake/ocluster.env"
fails "a corrupt run id is refused" "bad run id" "$OCLUSTER" -d "$fake" status
rm -rf "$fake"

echo "1..$n"
exit $bad
