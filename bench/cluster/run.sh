#!/bin/sh
# Cluster benchmarks: starts a private local cluster (deploy/local/cluster.sh, ports +100
# so a running demo is not disturbed), runs create_bench, stops and wipes it.
#   bench/cluster/run.sh [COUNT]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-bench"
export VTL_LOCAL_DIR="${TMPDIR:-/tmp}/vtl-bench-cluster" VTL_LOCAL_PORT_OFFSET=100
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target vtl-node vtl-manager clusterctl create_bench >/dev/null
"$top/deploy/local/cluster.sh" stop --wipe >/dev/null 2>&1 || true
trap '"$top/deploy/local/cluster.sh" stop --wipe >/dev/null' EXIT
"$top/deploy/local/cluster.sh" start "$build" >/dev/null
"$build/bench/cluster/create_bench" --etcd "http://127.0.0.1:$((23790 + 100))" --count "${1:-10}"
