#!/bin/sh
# The main-job command: installs what is missing, builds, and starts a local vtl cluster on
# loopback (etcd, three nodes, two managers, a demo library) with deploy/local/cluster.sh.
#   ./scripts/demo.sh                # start (what already runs is left running)
#   ./scripts/demo.sh status         # which processes run
#   ./scripts/demo.sh stop           # stop, keep the data
#   ./scripts/demo.sh stop --wipe    # stop and delete the data
# Everything lives in .vtl-local/ of the checkout: configuration, data, logs, PID files.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"

case "${1:-start}" in
stop) exec "$top/deploy/local/cluster.sh" stop "${2:-}" ;;
status) exec "$top/deploy/local/cluster.sh" status ;;
start) ;;
*) echo "usage: $0 [start | status | stop [--wipe]]" >&2; exit 2 ;;
esac

"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target vtl-node vtl-manager clusterctl >/dev/null
exec "$top/deploy/local/cluster.sh" start "$build"
