#!/usr/bin/env bash
# Installs everything vklab needs to build, test and run on Debian 12.
# Run as root. Safe to run again.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  # libraries
  libnl-3-dev libnl-route-3-dev libboost-graph-dev libboost-regex-dev libyaml-cpp-dev
  nlohmann-json3-dev libcli11-dev doctest-dev libpcap-dev
  libseccomp-dev libcap-dev
  # run time and tests: ip, ping, unshare/nsenter, ps, graphviz for pictures,
  # mandoc to check the man pages, iperf3 for the benchmarks
  iproute2 iputils-ping util-linux procps graphviz mandoc iperf3
  # what guests run in the example labs and tests (from the host's own
  # root, read-only): FRR for routing, bind9 for DNS, apache2 for the web,
  # curl, dig and tcpdump for checks and captures
  frr apache2 bind9 bind9-dnsutils curl tcpdump
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  # Daemons are for guests: never start them on this host while installing
  # (a policy-rc.d that denies every start; one already in place is kept).
  policy=/usr/sbin/policy-rc.d ours=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# vklab setup.sh: no service starts during the install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    ours=1
  fi
  trap '[ -n "$ours" ] && rm -f "$policy"' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#packages[@]} packages present"
