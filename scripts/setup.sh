#!/usr/bin/env bash
# Installs what gonghui needs on Debian 12 (idempotent; apt only runs when a
# package is missing). Usage: scripts/setup.sh [--test] [--bench]
#   default: build tools and libraries, Node.js for the web app
#   --test:  also PostgreSQL, Chromium and CJK fonts for the tests
#   --bench: also the benchmarks' references and load tools (PostgreSQL,
#            wrk, nginx, redis-server, redis-benchmark, perf)
set -euo pipefail

pkgs=(build-essential cmake ninja-build ccache pkg-config git
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
      libgtest-dev libgmock-dev libbenchmark-dev python3 python3-yaml)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
for arg in "$@"; do
  case "$arg" in
    --test) pkgs+=(postgresql postgresql-client chromium fonts-noto-cjk) ;;
    --bench) pkgs+=(postgresql postgresql-client wrk nginx redis-server redis-tools linux-perf) ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

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

# The web app's build tools (Vite 8) need Node.js 20 or newer; Debian 12's own
# package is 18. NodeSource's nodejs 20 package is one way to get it.
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "setup: Node.js $(node --version 2>/dev/null || echo missing) is too old: install Node.js 20 or newer (e.g. NodeSource's nodejs 20 .deb) and run this again" >&2
  exit 1
fi
