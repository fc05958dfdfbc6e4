#!/usr/bin/env bash
# scripts/check.sh: install what is missing, build, and run the whole test
# suite (make check: unit tests, fuzz targets, the cluster tests), then the
# style check.  Prints one closing line "tests: N passed, N failed, N skipped"
# (a cluster test skips where it cannot run: not root, no network namespaces).
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || exit 1
scripts/build.sh || exit 1

make -s -j"$(nproc)" check
rc=$?

# The automake harness's own counts, for one closing line.
count() { sed -n "s/^# $1: *//p" test-suite.log 2>/dev/null | head -n 1; }
pass=$(( $(count PASS || true) + $(count XFAIL || true) ))
skip=$(( $(count SKIP || true) ))
fail=$(( $(count FAIL || true) + $(count XPASS || true) + $(count ERROR || true) ))
[ -f test-suite.log ] || fail=1
if [ $rc -ne 0 ]; then
	tail -n 300 test-suite.log 2>/dev/null
fi

make -s checkstyle || rc=1

echo "tests: $pass passed, $fail failed, $skip skipped"
exit $rc
