#!/usr/bin/env bash
# scripts/demo.sh: oban's demo, the README's "main job" command.
#
# Installs what is missing, builds, brings up a 3-node corosync cluster on
# this machine (tests/cluster/ocluster: network + mount namespaces, see
# doc/test-cluster.md), shows what each node sees, and tears the cluster
# down again, also on Ctrl-C or failure.  Needs root.
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

DEMO_STEPS=(demo_prepare demo_cluster demo_membership)

trap demo_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for s in "${DEMO_STEPS[@]}"; do
	"$s"
done
