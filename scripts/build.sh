#!/usr/bin/env bash
# Configures and builds gonghui into ./build (incremental: Ninja + ccache).
# Usage: scripts/build.sh [--werror] [ninja targets…]
set -euo pipefail
cd "$(dirname "$0")/.."

werror=OFF
if [ "${1:-}" = "--werror" ]; then
  werror=ON
  shift
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGONGHUI_WERROR=$werror >/dev/null
# Two cores and heavy Boost templates: more jobs only thrash memory and cache.
ninja -C build -j "${GONGHUI_JOBS:-2}" "$@"
