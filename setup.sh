#!/usr/bin/env bash
# Installs everything vklab needs to build, test and run on Debian 12.
# Run as root. Safe to run again.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  # libraries
  libnl-3-dev libnl-route-3-dev libboost-graph-dev libyaml-cpp-dev
  nlohmann-json3-dev libcli11-dev doctest-dev
  # run time and tests: ip, ping, unshare/nsenter, ps, graphviz for pictures,
  # mandoc to check the man pages, iperf3 for the benchmarks
  iproute2 iputils-ping util-linux procps graphviz mandoc iperf3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#packages[@]} packages present"
