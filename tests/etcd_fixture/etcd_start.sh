#!/bin/sh
# usage: etcd_start.sh DIR CLIENT_PORT [keep]
# Starts a throwaway single-member etcd on 127.0.0.1 (peer port = CLIENT_PORT + 1) with its
# data in DIR/data and its PID in DIR/etcd.pid, and waits until /health says true.
# "keep" reuses DIR/data (restart on the same data); otherwise DIR is wiped first.
set -eu
dir=$1; cport=$2; pport=$((cport + 1)); keep=${3:-}
command -v etcd >/dev/null || { echo "etcd not installed"; exit 1; }
if [ "$keep" != keep ]; then rm -rf "$dir"; fi
mkdir -p "$dir"
# stdin detached and output redirected: ctest waits for every holder of the test's pipe.
etcd --name fixture --data-dir "$dir/data" --logger zap --log-level warn \
     --listen-client-urls "http://127.0.0.1:$cport" \
     --advertise-client-urls "http://127.0.0.1:$cport" \
     --listen-peer-urls "http://127.0.0.1:$pport" \
     --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
     --initial-cluster "fixture=http://127.0.0.1:$pport" \
     </dev/null >>"$dir/etcd.log" 2>&1 &
echo $! >"$dir/etcd.pid"
i=0
while [ $i -lt 100 ]; do            # up to ~10 s
  if curl -sf -m 1 "http://127.0.0.1:$cport/health" 2>/dev/null | grep -q '"health":"true"'; then
    echo "etcd pid $(cat "$dir/etcd.pid") on port $cport healthy after $i polls"; exit 0
  fi
  kill -0 "$(cat "$dir/etcd.pid")" 2>/dev/null || { echo "etcd died:"; tail -5 "$dir/etcd.log"; exit 1; }
  sleep 0.1; i=$((i + 1))
done
echo "etcd not healthy in time"; kill "$(cat "$dir/etcd.pid")"; exit 1
