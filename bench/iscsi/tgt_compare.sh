#!/usr/bin/env bash
# tgt_compare.sh - run vtl_bench against a private Linux tgt and, optionally, against
# vtl-node, interleaved run by run, and print the median figures side by side.
#
# The tgt half is self-contained: a private tgtd (its own IPC socket via TGT_IPC_SOCKET,
# its own portal 127.0.0.1:$TGT_PORT, so a system tgtd is never touched), one target with
# a tape LUN (LUN 1, bstype ssc) on a cartridge made by tgtimg in a temp dir, and tgt's
# best settings (shared/notes/libiscsi-and-tgt.md): 256 KiB PDUs and FirstBurstLength,
# 1 MiB MaxBurstLength, InitialR2T=No, ImmediateData=Yes, and glibc malloc thresholds
# raised in tgtd's environment (stock tgtd maps and unmaps a buffer per command above
# 128 KiB). vtl_bench never sends READ POSITION (it crashes tgt 1.0.85).
#
# usage: bench/iscsi/tgt_compare.sh [path/to/vtl_bench]
#
# Environment (all optional):
#   VTL_BENCH      vtl_bench binary (default: the argument, else found under /work/build*)
#                  Build it without sanitizers for figures worth comparing.
#   BENCH_BYTES    bytes per run (default 1G; K/M/G suffixes)
#   BENCH_BLOCKS   block sizes (default "256K 64K")
#   BENCH_REPS     runs per target and block size (default 3); the median is printed
#   TGT_PORT       tgtd's iSCSI port (default 3270)
#   KEEP_TMP=1     keep the temp dir (tgtd.log, cartridge) for inspection
#
# vtl-node half (wired by the lead; runs when VTL_NODE_CMD or VTL_NODE_PORTAL is set):
#   VTL_NODE_CMD      command that runs vtl-node in the foreground, started and stopped
#                     (by PID) by this script, e.g.
#                       VTL_NODE_CMD="/work/build/node/vtl-node --config /tmp/n1.json"
#                     Unset with VTL_NODE_PORTAL set: bench a node that is already running.
#   VTL_NODE_PORTAL   its iSCSI portal (default 127.0.0.1:3261)
#   VTL_NODE_TARGET   target name (default iqn.2026-11.io.vtl:bench)
#   VTL_NODE_LUN      the drive LUN (default 1)
#   VTL_NODE_CHANGER  "CHANGER_LUN SLOT DRIVE_ELEM" to MOVE MEDIUM a cartridge into the
#                     drive first (e.g. "0 4096 256"); unset: the drive must be loaded.
# Expected full invocation once vtl-node exists:
#   VTL_NODE_CMD="build/node/vtl-node --config bench.json" VTL_NODE_CHANGER="0 4096 256" \
#     bench/iscsi/tgt_compare.sh build-rel/bench/iscsi/vtl_bench
#
# Exit status: 0 when every run succeeded; 1 if any run failed (its figures are not
# printed: a failed configuration shows FAILED). tgtd is always cleaned up, even on
# failure or ^C: targets are deleted first (tgtd ignores SIGTERM while targets exist),
# then the system, then tgtd is waited for and killed by PID only as a last resort.
set -euo pipefail

BENCH=${1:-${VTL_BENCH:-}}
BYTES=${BENCH_BYTES:-1G}
BLOCKS=${BENCH_BLOCKS:-"256K 64K"}
REPS=${BENCH_REPS:-3}
TGT_PORT=${TGT_PORT:-3270}
TGT_IQN=iqn.2026-11.io.tgt:bench
TGT_CTL=0                     # control port number; the socket path is private anyway
BARCODE=VBENCH01              # tgt: barcode == file name, at most 10 characters

VTL_PORTAL=${VTL_NODE_PORTAL:-127.0.0.1:3261}
VTL_TARGET=${VTL_NODE_TARGET:-iqn.2026-11.io.vtl:bench}
VTL_LUN=${VTL_NODE_LUN:-1}
VTL_ENABLED=0
if [[ -n ${VTL_NODE_CMD:-} || -n ${VTL_NODE_PORTAL:-} ]]; then VTL_ENABLED=1; fi

TMP=""
TGTD_PID=""
VTL_PID=""
FAILED=0

log() { echo "tgt_compare: $*" >&2; }
die() { log "ERROR $*"; exit 1; }

find_bench() {
	if [[ -z $BENCH ]]; then
		for c in /work/build-rel/bench/iscsi/vtl_bench /work/build/bench/iscsi/vtl_bench \
			/work/build-*/bench/iscsi/vtl_bench; do
			if [[ -x $c ]]; then BENCH=$c; break; fi
		done
	fi
	[[ -n $BENCH && -x $BENCH ]] || die "vtl_bench not found (pass its path or set VTL_BENCH)"
}

tgtadm_() { tgtadm -C "$TGT_CTL" "$@"; }

port_open() { # host:port -> 0 if something accepts connections there
	(exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null
}

stop_pid() { # pid, seconds to wait after SIGTERM
	local pid=$1 i=0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && ((i < $2 * 10)); do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		log "pid $pid ignored SIGTERM; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	if [[ -n $TGTD_PID ]] && kill -0 "$TGTD_PID" 2>/dev/null; then
		tgtadm_ --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1
		tgtadm_ --op delete --mode system >/dev/null 2>&1
		local i=0
		while kill -0 "$TGTD_PID" 2>/dev/null && ((i < 50)); do sleep 0.1; i=$((i + 1)); done
		stop_pid "$TGTD_PID" 5
	fi
	[[ -n $VTL_PID ]] && stop_pid "$VTL_PID" 10
	if [[ -n $TMP ]]; then
		if [[ ${KEEP_TMP:-0} == 1 ]]; then
			log "kept $TMP"
		elif [[ $rc -ne 0 ]]; then
			rm -f "$TMP/$BARCODE" # logs kept for the post-mortem, not the cartridge
			log "failed; logs kept in $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
	exit "$rc"
}

to_bytes() { # 1G / 256K / 1048576 -> bytes
	local v=$1 n=${1%[KkMmGg]}
	case $v in
	*[Kk]) echo $((n << 10)) ;; *[Mm]) echo $((n << 20)) ;; *[Gg]) echo $((n << 30)) ;;
	*) echo "$v" ;;
	esac
}

start_tgt() {
	command -v tgtd >/dev/null || die "tgtd not installed (Debian package tgt)"
	port_open "127.0.0.1:$TGT_PORT" && die "127.0.0.1:$TGT_PORT is already in use"
	export TGT_IPC_SOCKET=$TMP/ipc/socket
	mkdir -p "$TMP/ipc"
	MALLOC_MMAP_THRESHOLD_=8388608 MALLOC_TRIM_THRESHOLD_=1073741824 \
		tgtd -f -C "$TGT_CTL" --iscsi "portal=127.0.0.1:$TGT_PORT" \
		</dev/null >"$TMP/tgtd.log" 2>&1 &
	TGTD_PID=$!
	local i=0
	until tgtadm_ --op show --mode system >/dev/null 2>&1 && port_open "127.0.0.1:$TGT_PORT"; do
		kill -0 "$TGTD_PID" 2>/dev/null || die "tgtd exited: $(tail -3 "$TMP/tgtd.log")"
		((++i < 100)) || die "tgtd not ready after 10 s"
		sleep 0.1
	done
	# cartridge capacity: the stream plus 5% block headers and slack, in MB
	local bytes mb
	bytes=$(to_bytes "$BYTES")
	mb=$((bytes * 105 / 100 / 1000000 + 64))
	tgtimg --op new --device-type tape --barcode "$BARCODE" --size "$mb" --type data \
		--file "$TMP/$BARCODE" >/dev/null
	tgtadm_ --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
	tgtadm_ --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --device-type tape \
		--bstype ssc -b "$TMP/$BARCODE"
	tgtadm_ --lld iscsi --op bind --mode target --tid 1 -I ALL
	local kv
	for kv in MaxRecvDataSegmentLength=262144 MaxXmitDataSegmentLength=262144 \
		FirstBurstLength=262144 MaxBurstLength=1048576 InitialR2T=No ImmediateData=Yes; do
		tgtadm_ --lld iscsi --op update --mode target --tid 1 --name "${kv%%=*}" \
			--value "${kv#*=}"
	done
	log "tgtd pid $TGTD_PID on 127.0.0.1:$TGT_PORT, cartridge $TMP/$BARCODE (${mb} MB)"
}

start_vtl() {
	if [[ -n ${VTL_NODE_CMD:-} ]]; then
		port_open "$VTL_PORTAL" && die "$VTL_PORTAL is already in use"
		# shellcheck disable=SC2086 # the command line is meant to be split
		$VTL_NODE_CMD </dev/null >"$TMP/vtl-node.log" 2>&1 &
		VTL_PID=$!
	fi
	local i=0
	until port_open "$VTL_PORTAL"; do
		if [[ -n $VTL_PID ]] && ! kill -0 "$VTL_PID" 2>/dev/null; then
			die "vtl-node exited: $(tail -3 "$TMP/vtl-node.log")"
		fi
		((++i < 300)) || die "vtl-node portal $VTL_PORTAL not open after 30 s"
		sleep 0.1
	done
	log "vtl-node ${VTL_PID:+pid $VTL_PID }on $VTL_PORTAL target $VTL_TARGET lun $VTL_LUN"
}

# run_one LABEL BLOCK -> prints "WRITE READ" on success; nothing and status 1 on failure
run_one() {
	local label=$1 block=$2 out
	local args=(--bytes "$BYTES" --block "$block" --label "$label")
	if [[ $label == tgt ]]; then
		args+=(--portal "127.0.0.1:$TGT_PORT" --target "$TGT_IQN" --lun 1)
	else
		args+=(--portal "$VTL_PORTAL" --target "$VTL_TARGET" --lun "$VTL_LUN")
		if [[ -n ${VTL_NODE_CHANGER:-} ]]; then
			local c
			read -r -a c <<<"$VTL_NODE_CHANGER"
			args+=(--changer-lun "${c[0]}" --slot "${c[1]}" --drive-elem "${c[2]}")
		fi
	fi
	if ! out=$("$BENCH" "${args[@]}" 2>>"$TMP/bench.err"); then
		log "$label block $block failed: $(tail -1 "$TMP/bench.err")"
		return 1
	fi
	log "$out"
	local w r
	w=$(sed -n 's/.*write_MBps=\([0-9.]*\).*/\1/p' <<<"$out")
	r=$(sed -n 's/.*read_MBps=\([0-9.]*\).*/\1/p' <<<"$out")
	[[ -n $w && -n $r ]] || return 1
	echo "$w $r"
}

median() { # numbers... -> the median (lower middle for an even count)
	printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

main() {
	find_bench
	TMP=$(mktemp -d /tmp/tgt_compare.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	start_tgt
	local targets=(tgt) t bs rep res
	if ((VTL_ENABLED)); then
		start_vtl
		targets+=(vtl-node)
	fi
	declare -A W R BAD
	for bs in $BLOCKS; do
		for ((rep = 1; rep <= REPS; rep++)); do
			for t in "${targets[@]}"; do # interleaved: both see the same machine noise
				if res=$(run_one "$t" "$(to_bytes "$bs")"); then
					W[$t/$bs]+="${res% *} "
					R[$t/$bs]+="${res#* } "
				else
					BAD[$t/$bs]=1
					FAILED=1
				fi
			done
		done
	done

	printf '\n%s bytes per run, queue depth 1, median of %s runs, MB/s (MB = 10^6 bytes)\n' \
		"$BYTES" "$REPS"
	printf '%-8s' block
	for t in "${targets[@]}"; do printf '%16s %15s' "$t write" "$t read"; done
	printf '\n'
	for bs in $BLOCKS; do
		printf '%-8s' "$bs"
		for t in "${targets[@]}"; do
			if [[ -n ${BAD[$t/$bs]:-} ]]; then
				printf '%16s %15s' FAILED FAILED
			else
				# shellcheck disable=SC2086 # word lists
				printf '%16s %15s' "$(median ${W[$t/$bs]})" "$(median ${R[$t/$bs]})"
			fi
		done
		printf '\n'
	done
	return "$FAILED"
}

main "$@"
