#!/usr/bin/env bash
# Installs what gonghui needs on Debian 12 (idempotent; apt only runs when a
# package is missing). Usage: scripts/setup.sh [--test]
#   default: build tools and libraries, to build and run the server
#   --test:  also PostgreSQL, Node.js, Chromium, wrk and nginx for the tests
set -euo pipefail

pkgs=(build-essential cmake ninja-build ccache pkg-config git
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
      libgtest-dev libgmock-dev libbenchmark-dev)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(postgresql postgresql-client)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_=""
  [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
