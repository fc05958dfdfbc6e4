#!/usr/bin/env bash
# scripts/install-deps.sh: the one place that knows oban's Debian packages.
#
# Installs every package the build, the tests and the demo need, on Debian 12,
# as root.  When all are present it does nothing and returns at once; else it
# runs apt-get update once and installs what is missing.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh --list   print the package list and exit
set -euo pipefail

packages=(
	# build
	gcc make autoconf automake libtool pkg-config libc6-dev
	# the libraries oban is built on
	libcpg-dev libquorum-dev libcmap-dev libcorosync-common-dev
	libtirpc-dev rpcsvc-proto libblkid-dev liblmdb-dev libcunit1-dev
	liburing-dev
	# fuzz targets (libFuzzer), make checkstyle
	clang libclang-rt-14-dev clang-format
	# the test cluster and the demo: corosync in network namespaces
	corosync iproute2 procps psmisc util-linux kmod
	# tests and tools that look at drives and replicas
	e2fsprogs lmdb-utils
	# the RPC garbage client of the cluster scenario t0101
	python3
)

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
