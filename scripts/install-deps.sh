#!/bin/sh
# Installs, when missing, every Debian 12 package vtl needs to build, run and test.
# Safe to run again: it only calls apt-get when something is missing.
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
libnng-dev librocksdb-dev libjansson-dev libcurl4-openssl-dev
etcd-server etcd-client libiscsi-dev libiscsi-bin tgt iproute2 curl"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
