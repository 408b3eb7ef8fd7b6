#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install, build, and run the
# server with demo data on SQLite at http://127.0.0.1:8080/ (extra arguments
# go to `gonghui serve`, e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh gonghui
bash scripts/build-web.sh
exec ./build/gonghui serve --demo "$@"
