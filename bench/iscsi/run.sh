#!/usr/bin/env bash
# run.sh - the iSCSI streaming benchmark, vtl-node against Linux tgt, side by side.
# Builds a Release tree (no sanitizers) in build-bench/, starts a private vtl-node with a
# one-drive library on 127.0.0.1:3261 and a private tgtd on 127.0.0.1:3270, and runs
# vtl_bench (1 GiB at 256 KiB and 64 KiB blocks, write + sync, then verified read) against
# both, interleaved run by run (tgt_compare.sh). Figures: docs/benchmarks.md.
#   bench/iscsi/run.sh            # 3 runs each, medians
#   BENCH_REPS=5 bench/iscsi/run.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/scripts/install-deps.sh"
build="$top/build-bench"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target vtl-node vtl_bench >/dev/null

work=$(mktemp -d /tmp/vtl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/node.conf" <<CONF
[node]
id = bench
portal = 127.0.0.1:${VTL_BENCH_PORT:-3261}
data_dir = $work/data
log_level = warn
[library bench]
drives = 1
slots = 4
cartridges = 2
capacity = 16G
CONF
export VTL_NODE_CMD="$build/node/vtl-node --config $work/node.conf"
export VTL_NODE_PORTAL="127.0.0.1:${VTL_BENCH_PORT:-3261}"
export VTL_NODE_CHANGER="0 1024 256"      # MOVE VT0001L8 from slot 0x400 into drive 0x100
"$top/bench/iscsi/tgt_compare.sh" "$build/bench/iscsi/vtl_bench"
