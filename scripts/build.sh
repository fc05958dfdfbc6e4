#!/usr/bin/env bash
# scripts/build.sh: configure and build oban in the source tree.
#
# Configures with the developer profile (debug assertions on, warnings are
# errors, the test-only fault hooks built in so that every test runs) unless
# OBAN_CONFIGURE_FLAGS says otherwise, and reconfigures only
# when configure.ac or a Makefile fragment changed.
set -euo pipefail
cd "$(dirname "$0")/.."

flags=${OBAN_CONFIGURE_FLAGS:---enable-debug --enable-strict --enable-test-hooks}
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null
fi
if [ ! -f config.status ] || [ configure -nt config.status ] ||
	[ "$(cat .configure-flags 2>/dev/null)" != "$flags" ]; then
	# shellcheck disable=SC2086
	./configure -q $flags
	echo "$flags" > .configure-flags
fi
make -s -j"$(nproc)"
