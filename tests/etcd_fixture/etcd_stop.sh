#!/bin/sh
# usage: etcd_stop.sh DIR [rm]
# Stops the etcd whose PID is in DIR/etcd.pid and those of private instances in
# DIR/*/etcd.pid (tests that restart their own etcd keep it there), each only if that PID
# is still an etcd process. "rm" then removes DIR.
dir=$1
stop_one() {
  pid=$(cat "$1" 2>/dev/null) || return 0
  rm -f "$1"
  [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = etcd ] || return 0
  kill -CONT "$pid" 2>/dev/null   # a test may have left it SIGSTOPped
  kill "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  echo "etcd $pid stopped"
}
for f in "$dir"/etcd.pid "$dir"/*/etcd.pid; do
  [ -f "$f" ] && stop_one "$f"
done
[ "${2:-}" = rm ] && rm -rf "$dir"
exit 0
