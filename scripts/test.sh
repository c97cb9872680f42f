#!/bin/sh
# The test command: installs what is missing, builds with clang + AddressSanitizer +
# UndefinedBehaviorSanitizer + libFuzzer targets, and runs the whole suite with ctest.
#   ./scripts/test.sh                 # everything (unit, integration, fuzz)
#   ./scripts/test.sh -L unit         # extra arguments go to ctest
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
build="${VTL_TEST_BUILD:-$top/build-test}"
cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	-DVTL_SANITIZE=ON -DVTL_FUZZ=ON >/dev/null
cmake --build "$build" -j2
cd "$build"
# leak reports from the libraries we link are theirs; ours are not suppressed
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec ctest --output-on-failure -j2 "$@"
