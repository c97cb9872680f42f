#!/bin/sh
# A whole vtl cluster on loopback, for one machine: a private etcd, three vtl-node
# processes, two vtl-manager processes (one active, one standby) and a demo library.
#
#   deploy/local/cluster.sh start  BUILD_DIR   # start what is not running; create 'demo' once
#   deploy/local/cluster.sh stop   [--wipe]    # stop everything (by PID); --wipe deletes the data
#   deploy/local/cluster.sh status             # which processes run
#
# State (configuration, data, logs, PID files) lives in $VTL_LOCAL_DIR (default .vtl-local/
# in the checkout). Ports, all on 127.0.0.1, each plus $VTL_LOCAL_PORT_OFFSET (default 0;
# tests and benchmarks run a second cluster beside the demo that way):
#   etcd 23790 (peer 23791) · nodes' iSCSI portals 3261-3263, peer endpoints 4261-4263 ·
#   managers' control API 7101-7102.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
state="${VTL_LOCAL_DIR:-$top/.vtl-local}"
off="${VTL_LOCAL_PORT_OFFSET:-0}"
etcd_port=$((23790 + off))
etcd_url="http://127.0.0.1:$etcd_port"
nodes="node1 node2 node3"
managers="mgr1 mgr2"

running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

# Waits up to $3 tenths of a second for $2 to appear in $1.log; fails with its tail.
wait_log() {
	i=0
	until grep -q "$2" "$state/$1.log" 2>/dev/null; do
		if ! running "$1"; then
			echo "$1 failed to start; last lines of $state/$1.log:" >&2
			tail -5 "$state/$1.log" >&2; rm -f "$state/$1.pid"; exit 1
		fi
		i=$((i + 1)); [ "$i" -lt "$3" ] || { echo "$1: no '$2' in $state/$1.log" >&2; exit 1; }
		sleep 0.1
	done
}

# Starts "$@" in the background as process $name, output to $name.log.
spawn() {
	name=$1; shift
	"$@" </dev/null >>"$state/$name.log" 2>&1 &
	echo $! >"$state/$name.pid"
}

start_etcd() {
	running etcd && return 0
	command -v etcd >/dev/null || { echo "etcd is not installed (scripts/install-deps.sh)" >&2; exit 1; }
	peer="http://127.0.0.1:$((etcd_port + 1))"
	spawn etcd etcd --name local --data-dir "$state/etcd" --logger zap --log-level warn \
		--listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
		--listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
		--initial-cluster "local=$peer"
	i=0
	until curl -sf -m 1 "$etcd_url/health" 2>/dev/null | grep -q '"health":"true"'; do
		running etcd || { echo "etcd failed to start:" >&2; tail -5 "$state/etcd.log" >&2; exit 1; }
		i=$((i + 1)); [ "$i" -lt 100 ] || { echo "etcd not healthy after 10 s" >&2; exit 1; }
		sleep 0.1
	done
}

start_node() {     # $1 = node name, $2 = index 1..3
	running "$1" && return 0
	mkdir -p "$state/$1"
	cat >"$state/$1.conf" <<CONF
[node]
id = $1
portal = 127.0.0.1:$((3260 + off + $2))
peer = tcp://127.0.0.1:$((4260 + off + $2))
data_dir = $state/$1
iqn_prefix = iqn.2026-11.io.vtl

[etcd]
endpoints = $etcd_url
lease_ttl = 5
CONF
	: >"$state/$1.log"
	spawn "$1" "$build/node/vtl-node" --config "$state/$1.conf"
	wait_log "$1" NODE_READY 100
}

start_manager() {  # $1 = manager name, $2 = index
	running "$1" && return 0
	: >"$state/$1.log"
	spawn "$1" "$build/manager/vtl-manager" --id "$1" --etcd "$etcd_url" \
		--listen "tcp://127.0.0.1:$((7100 + off + $2))" --lease-ttl 5
	wait_log "$1" "MGR_LEADER\|MGR_STANDBY" 150
}

ctl() { "$build/client/clusterctl" --etcd "$etcd_url" "$@"; }

start() {
	build=$1
	mkdir -p "$state"
	start_etcd
	n=1; for x in $nodes; do start_node "$x" $n; n=$((n + 1)); done
	n=1; for x in $managers; do start_manager "$x" $n; n=$((n + 1)); done
	# every node registered, then the demo library (once; its data survives restarts)
	i=0
	until [ "$(ctl --json nodes 2>/dev/null | grep -o '"id"' | wc -l)" -ge 3 ]; do
		i=$((i + 1)); [ "$i" -lt 150 ] || { echo "nodes did not register in etcd" >&2; exit 1; }
		sleep 0.1
	done
	if ! ctl library show demo >/dev/null 2>&1; then
		ctl library create demo --drives 2 --slots 20 --ie-slots 4 --cartridges 10 --capacity 4G
	fi
	owner=""
	i=0
	while [ -z "$owner" ]; do
		owner=$(ctl --json libraries | tr ',' '\n' | sed -n 's/.*"owner":"\([^"]*\)".*/\1/p' | head -1)
		i=$((i + 1)); [ "$i" -lt 100 ] || { echo "library demo has no owner" >&2; exit 1; }
		[ -n "$owner" ] || sleep 0.1
	done
	wait_log "$owner" "LIB_ONLINE.* lib=demo" 100
	idx=${owner#node}
	cat <<MSG
vtl local cluster is running (state in $state):
  etcd     $etcd_url
  nodes    node1 127.0.0.1:$((3261 + off)), node2 127.0.0.1:$((3262 + off)), node3 127.0.0.1:$((3263 + off))
  managers mgr1 tcp://127.0.0.1:$((7101 + off)), mgr2 tcp://127.0.0.1:$((7102 + off)) (one active, one standby)
  library  demo, owned by $owner: target iqn.2026-11.io.vtl:demo on 127.0.0.1:$((3260 + off + idx))
           LUN 0 changer (IBM 03584L32), LUNs 1-2 drives (IBM ULT3580-TD8), 10 cartridges

Try it:
  iscsi-ls -s iscsi://127.0.0.1:$((3260 + off + idx))
  iscsi-inq iscsi://127.0.0.1:$((3260 + off + idx))/iqn.2026-11.io.vtl:demo/0
  export VTL_ETCD=$etcd_url
  $build/client/clusterctl status
  $build/client/clusterctl libraries
  $build/client/clusterctl library create L2 --drives 4 --cartridges 20
  $build/client/clusterctl events --watch
Logs: $state/*.log    Stop: $0 stop   (add --wipe to delete the data)
MSG
}

stop_one() {
	running "$1" || { rm -f "$state/$1.pid"; return 0; }
	pid=$(cat "$state/$1.pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	rm -f "$state/$1.pid"
	echo "stopped $1 (pid $pid)"
}

stop() {
	# managers first (no new placements), nodes (revoke their leases), etcd last
	for x in $managers $nodes etcd; do stop_one "$x"; done
	if [ "${1:-}" = "--wipe" ]; then
		rm -rf "$state"
		echo "data wiped ($state)"
	elif [ -n "${1:-}" ]; then
		echo "usage: $0 stop [--wipe]" >&2; exit 2
	fi
}

status() {
	for x in etcd $nodes $managers; do
		if running "$x"; then echo "$x running (pid $(cat "$state/$x.pid"))"; else echo "$x stopped"; fi
	done
}

case "${1:-}" in
start) [ $# -eq 2 ] || { echo "usage: $0 start BUILD_DIR" >&2; exit 2; }; start "$2" ;;
stop) stop "${2:-}" ;;
status) status ;;
*) echo "usage: $0 start BUILD_DIR | stop [--wipe] | status" >&2; exit 2 ;;
esac
