#!/usr/bin/env bash
# Builds the server and the raw-import ceiling, then runs every benchmark
# and prints Markdown for docs/benchmarks.md.
#
#   bench/run_all.sh [http] [import] [subtree]     (default: all three)
#
#   BUILD_DIR      build folder (default build)
#   NO_BUILD=1     use the binaries already in BUILD_DIR
#   NO_PG=1        SQLite only
#   WRK_SECS, WRK_CONNS   wrk duration and connections (10, 64)
#   RAW_ARGS, IMPORT_ARGS, SUBTREE_ARGS   extra arguments (e.g. a smaller
#                  --rows for a quick check of the scripts themselves)
#   QUIET_IDLE, QUIET_MAX_WAIT   see quiet() below
#
# Before each measured run it waits until no compiler (cc1plus) is running
# on the machine, so other people's builds do not pollute the figures; the
# load average at the start of each run is printed beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-build}
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(http import subtree)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

if [ -z "${NO_BUILD:-}" ]; then
  cmake -S . -B "$build" -G Ninja >/dev/null
  ninja -C "$build" -j2 gonghui raw_import >/dev/null
fi
export GONGHUI_BIN="$root/$build/gonghui"
raw="$root/$build/raw_import"

# Idle share of the CPUs over the next 5 seconds, in percent.
idle_pct() {
  local a b
  a=($(head -1 /proc/stat)); sleep 5; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * idle / total : 0 ))
}
# Waits (up to QUIET_MAX_WAIT seconds, default 1800) until no compiler runs
# and the CPUs are at least QUIET_IDLE percent idle (default 85), then notes
# the state in the output.
quiet() {
  local waited=0 idle
  while :; do
    if ! pgrep -x cc1plus >/dev/null; then
      idle=$(idle_pct)
      [ "$idle" -ge "${QUIET_IDLE:-85}" ] && break
    else
      sleep 5
    fi
    waited=$((waited + 5))
    if [ "$waited" -ge "${QUIET_MAX_WAIT:-1800}" ]; then
      echo "> **warning:** the machine was still busy after ${waited} s (compilers: $(pgrep -cx cc1plus || true), idle ${idle:-?}%); measured anyway."
      echo
      return
    fi
  done
  echo "<!-- before this run: no compiler running, CPUs ${idle}% idle, load average $(cut -d' ' -f1-3 /proc/loadavg) -->"
}

pg_url=
pg_started=
if [ -z "${NO_PG:-}" ] && { want import || want subtree; }; then
  port=${GONGHUI_PG_PORT:-55432}
  [ -f "/tmp/gonghui-pg-$port/postmaster.pid" ] || pg_started=1
  pg_url=$(scripts/pg.sh start)
  pg_url=${pg_url%/*}/postgres   # maintenance database: each run creates its own
fi
cleanup() { [ -n "$pg_started" ] && scripts/pg.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "# gonghui benchmarks, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
  "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted src changes')"
echo

field() { sed -nE "s/.*[ ]$2=([^ ]+).*/\\1/p" <<<"$1" | head -1; }

if want http; then
  echo "## (a) GET /api/v1/orgs/{id} vs nginx"
  echo
  quiet
  echo "\`bench/http_orgs.sh ${WRK_SECS:-10} ${WRK_CONNS:-64}\`"
  echo
  bench/http_orgs.sh "${WRK_SECS:-10}" "${WRK_CONNS:-64}" | grep -v '^RESULT'
  echo
fi

if want import; then
  echo "## (b) bulk import: 352,300 members in 5,314 units"
  echo
  stores=(sqlite)
  [ -n "$pg_url" ] && stores+=(postgres)
  for s in "${stores[@]}"; do
    if [ "$s" = sqlite ]; then raw_args=(); imp_args=(); else raw_args=(--no-sqlite --pg "$pg_url"); imp_args=(--pg "$pg_url"); fi
    echo "### $s"
    echo
    quiet
    raw1=$("$raw" "${raw_args[@]}" ${RAW_ARGS:-} --batch 1000 2>/dev/null | grep "^RESULT store=$s")
    quiet
    raw5=$("$raw" "${raw_args[@]}" ${RAW_ARGS:-} --batch 5000 2>/dev/null | grep "^RESULT store=$s")
    quiet
    imp_out=$(node bench/import.mjs --quiet "${imp_args[@]}" ${IMPORT_ARGS:-})
    raw_rps=$(field "$raw1" rows_per_s)
    echo "commands: \`$build/raw_import ${raw_args[*]} --batch 1000\`, \`… --batch 5000\`," \
      "\`GONGHUI_BIN=$build/gonghui node bench/import.mjs ${imp_args[*]}\`"
    echo
    echo "| path | rows per transaction | seconds | rows/s | ÷ raw ceiling (1,000-row batches) | target ≥ 30,000/s |"
    echo "|---|---:|---:|---:|---:|---|"
    for line in "$raw1" "$raw5"; do
      echo "| raw C++ loop: seal + blind index + INSERT | $(field "$line" batch) | $(field "$line" seconds) | $(field "$line" rows_per_s) |" \
        "$(awk -v a="$(field "$line" rows_per_s)" -v b="$raw_rps" 'BEGIN {printf "%.2f", a / b}') | — |"
    done
    while read -r line; do
      [ -z "$line" ] && continue
      mps=$(field "$line" members_per_s)
      echo "| server: POST /api/v1/members/import, $(field "$line" inflight) in flight | $(field "$line" batch) | $(field "$line" seconds) | **$mps** |" \
        "$(awk -v a="$mps" -v b="$raw_rps" 'BEGIN {printf "%.2f", a / b}') | $(awk -v a="$mps" 'BEGIN {print (a >= 30000 ? "met" : "**missed**")}') |"
    done < <(grep '^RESULT' <<<"$imp_out")
    echo
    for line in "$raw1" "$raw5"; do
      echo "raw, $(field "$line" batch)-row batches: sealing and indexing took $(field "$line" build_seconds) s of $(field "$line" seconds) s;" \
        "process CPU $(field "$line" cpu_user_s) s user + $(field "$line" cpu_sys_s) s system"
    done
    echo
    grep -v '^RESULT' <<<"$imp_out" | sed '/^$/d' | grep -v '^machine'
    echo
  done
fi

if want subtree; then
  echo "## (c) subtree queries over 10,000+ orgs"
  echo
  stores=(sqlite)
  [ -n "$pg_url" ] && stores+=(postgres)
  for s in "${stores[@]}"; do
    args=()
    [ "$s" = postgres ] && args=(--pg "$pg_url")
    quiet
    echo "\`GONGHUI_BIN=$build/gonghui node bench/subtree.mjs ${args[*]}\`"
    echo
    node bench/subtree.mjs --quiet "${args[@]}" ${SUBTREE_ARGS:-} | grep -v '^RESULT'
    echo
  done
fi
