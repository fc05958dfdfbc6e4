#!/usr/bin/env bash
# scripts/demo.sh: oban's demo, the README's "main job" command.
#
# Installs what is missing, builds, brings up a 3-node corosync cluster on
# this machine (tests/cluster/ocluster: network + mount namespaces, see
# doc/test-cluster.md), shows what each node sees, runs mdcommd on every
# node with a multi-owner set across them and a mirror in it, shows every
# node's view, and tears the cluster down again, also on Ctrl-C or
# failure.  Needs root.
#
#   scripts/demo.sh              the whole demo
#   DEMO_NODES=5 scripts/demo.sh on five nodes
#   DEMO_KEEP=1 scripts/demo.sh  leave the cluster up at the end (prints
#                                how to use and remove it)
#
# Structure: the demo is the list of steps in DEMO_STEPS, run in order;
# each step is a function demo_<name> that prints a heading with `step`
# and talks to the cluster through `ocl` (ocluster on this run).  Later
# parts of oban add their steps (a diskset, a mirror, a node crash...) by
# writing a function and adding its name to DEMO_STEPS.
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
export OBAN_BUILDDIR=$TOP # ocluster exec puts its commands on PATH
OCLUSTER=$TOP/tests/cluster/ocluster
DEMO_NODES=${DEMO_NODES:-3}
DEMO_DIR=""

step()
{
	printf '\n=== %s\n' "$*"
}

ocl()
{
	"$OCLUSTER" -d "$DEMO_DIR" "$@"
}

demo_cleanup()
{
	local rc=$?
	trap - EXIT
	trap '' INT TERM HUP # the teardown runs to its end
	if [ -n "$DEMO_DIR" ]; then
		if [ -n "${DEMO_KEEP:-}" ] && [ $rc -eq 0 ]; then
			echo
			echo "The cluster is still up (DEMO_KEEP): OCLUSTER_DIR=$DEMO_DIR"
			echo "  $OCLUSTER -d $DEMO_DIR status"
			echo "  $OCLUSTER -d $DEMO_DIR down"
		else
			step "tearing the cluster down"
			ocl down && echo "nothing of the cluster is left"
		fi
	fi
	exit $rc
}

# --- the steps ------------------------------------------------------------

demo_prepare()
{
	step "installing missing packages (scripts/install-deps.sh)"
	scripts/install-deps.sh
	echo "all packages present"
	step "building (scripts/build.sh)"
	scripts/build.sh
	echo "build done"
}

demo_cluster()
{
	[ "$(id -u)" -eq 0 ] || {
		echo "demo: the cluster needs root (network and mount namespaces)" >&2
		exit 1
	}
	step "bringing up $DEMO_NODES nodes: corosync (knet, votequorum) in namespaces"
	# The owner is this script: if it dies, `tests/cluster/ocluster-reap`
	# removes the cluster.
	DEMO_DIR=$("$OCLUSTER" up -n "$DEMO_NODES" --owner $$)
	export OCLUSTER_DIR=$DEMO_DIR
	echo "cluster state in $DEMO_DIR"
}

# demo_membership - what every node sees, in words.
demo_membership()
{
	local k v members quorate names id
	step "membership and quorum, as each node sees it (libquorum)"
	for ((k = 1; k <= DEMO_NODES; k++)); do
		v=$(ocl members "$k")
		members=${v#members=}
		members=${members%% *}
		quorate=${v##*quorate=}
		names=""
		for id in ${members//,/ }; do
			names="$names node$id"
		done
		printf '  node%d (%s): sees %d members:%s; %s\n' "$k" \
			"$(ocl exec "$k" hostname -I | awk '{print $1}')" \
			"$(wc -w <<<"$names")" "$names" \
			"$([ "$quorate" = yes ] && echo "QUORATE" || echo "NOT quorate")"
	done
}

# demo_diskset - mdcommd on every node, a multi-owner set across all of
# them made from node 2, a mirror made from the last node, and every node's
# view of it.
demo_diskset()
{
	local k i n=$DEMO_NODES nl="" hosts="" last=$DEMO_NODES
	local shared=$DEMO_DIR/shared
	step "mdcommd on every node (the node list, runtime.cf, the daemon)"
	for ((k = 1; k <= n; k++)); do
		nl+="$k node$k 10.99.0.$k"$'\n'
		hosts+=" node$k"
	done
	for ((k = 1; k <= n; k++)); do
		ocl exec "$k" sh -c "printf '%s' '$nl' > /run/oban/nodelist && printf 'drive_glob %s/d*\n' \"\$OCLUSTER_SHARED\" > /etc/oban/runtime.cf"
		ocl spawn "$k" mdcommd "$TOP/daemons/mdcommd/mdcommd"
	done
	for ((k = 1; k <= n; k++)); do
		for ((i = 0; i < 150; i++)); do
			ocl exec "$k" "$TOP/daemons/mdcommd/mdcctl" status 2>/dev/null |
				grep -q ", $n members" && break
			sleep 0.2
		done
		echo "  node$k: $(ocl exec "$k" "$TOP/daemons/mdcommd/mdcctl" status)"
	done

	step "a multi-owner set 'demo' on every node, made from node 2, on two shared drives"
	truncate -s 64M "$shared/d1" "$shared/d2"
	# shellcheck disable=SC2086 # the host names are words
	ocl exec 2 metaset -s demo -M -a -h $hosts
	ocl exec 2 metaset -s demo -a "$shared/d1" "$shared/d2"
	echo "  every node joins, node 2 first (the first to join is the master):"
	for k in 2 $(seq 1 "$n" | grep -vx 2); do
		ocl exec "$k" metaset -s demo -j
	done
	ocl exec 1 metaset -s demo | sed 's/^/  /'

	step "a mirror made from node $last: every command a dry run on every node, then the real one through the master"
	ocl exec "$last" metainit -s demo d11 1 1 "$shared/d1"
	ocl exec "$last" metainit -s demo d12 1 1 "$shared/d2"
	ocl exec "$last" metainit -s demo d10 -m d11
	ocl exec "$last" metattach -s demo d10 d12

	step "metastat -p, as each node sees it"
	for ((k = 1; k <= n; k++)); do
		echo "  node$k:"
		ocl exec "$k" metastat -s demo -p | sed 's/^/    /'
	done
	if [ "$(for ((k = 1; k <= n; k++)); do ocl exec "$k" metastat -s demo -p | md5sum; done | sort -u | wc -l)" = 1 ]; then
		echo "  the same on every node"
	else
		echo "demo: the nodes' configurations differ" >&2
		return 1
	fi
}

DEMO_STEPS=(demo_prepare demo_cluster demo_membership demo_diskset)

trap demo_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for s in "${DEMO_STEPS[@]}"; do
	"$s"
done
