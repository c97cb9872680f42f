#!/bin/sh
# The main-job command: installs what is missing, builds, and starts a local vtl on
# loopback with a demo library.
#   ./scripts/demo.sh                # start (or report that it runs)
#   ./scripts/demo.sh stop           # stop, keep the data
#   ./scripts/demo.sh stop --wipe    # stop and delete the data
# Everything lives in .vtl-demo/ of the checkout: configuration, data, logs, PID files.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/.vtl-demo"
build="$top/build"
port="${VTL_DEMO_PORT:-3260}"

stop() {
	if [ -f "$state/node1.pid" ]; then
		pid=$(cat "$state/node1.pid")
		if kill "$pid" 2>/dev/null; then
			i=0
			while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
			kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
			echo "stopped vtl-node (pid $pid)"
		fi
		rm -f "$state/node1.pid"
	fi
	if [ "${1:-}" = "--wipe" ]; then
		rm -rf "$state"
		echo "data wiped"
	fi
}

case "${1:-start}" in
stop) stop "${2:-}"; exit 0 ;;
start) ;;
*) echo "usage: $0 [start | stop [--wipe]]" >&2; exit 2 ;;
esac

if [ -f "$state/node1.pid" ] && kill -0 "$(cat "$state/node1.pid")" 2>/dev/null; then
	echo "already running (pid $(cat "$state/node1.pid")); '$0 stop' stops it"
	exit 0
fi

"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target vtl-node >/dev/null

mkdir -p "$state/node1"
cat >"$state/node1.conf" <<CONF
[node]
id = node1
portal = 127.0.0.1:$port
data_dir = $state/node1
iqn_prefix = iqn.2026-11.io.vtl

[library demo]
drives = 2
slots = 20
ie_slots = 4
cartridges = 10
capacity = 4G
CONF

"$build/node/vtl-node" --config "$state/node1.conf" </dev/null >>"$state/node1.log" 2>&1 &
echo $! >"$state/node1.pid"
i=0
until grep -q NODE_READY "$state/node1.log" 2>/dev/null; do
	if ! kill -0 "$(cat "$state/node1.pid")" 2>/dev/null; then
		echo "vtl-node failed to start:"; tail -5 "$state/node1.log"; rm -f "$state/node1.pid"; exit 1
	fi
	i=$((i + 1)); [ $i -lt 100 ] || { echo "vtl-node not ready after 10 s"; exit 1; }
	sleep 0.1
done

cat <<MSG
vtl is running: node1 (pid $(cat "$state/node1.pid")) serves library 'demo' on 127.0.0.1:$port
  target  iqn.2026-11.io.vtl:demo   LUN 0 changer (IBM 03584L32), LUNs 1-2 drives (IBM ULT3580-TD8)
  10 cartridges VT0001L8..VT0010L8 in slots 0x0400.., 4 GiB each

Try it:
  iscsi-ls -s iscsi://127.0.0.1:$port
  iscsi-inq iscsi://127.0.0.1:$port/iqn.2026-11.io.vtl:demo/0
Linux initiator (open-iscsi): iscsiadm -m discovery -t st -p 127.0.0.1:$port, then
  iscsiadm -m node -l; the drives appear as /dev/nst*, the changer as /dev/sg* (use mtx).
Logs: $state/node1.log      Stop: $0 stop   (add --wipe to delete the data)
MSG
