#!/usr/bin/env bash
# Benchmark: an authenticated GET /api/v1/orgs/{id} through the full
# middleware stack, side by side with nginx serving a small static JSON file,
# in the same run with the same wrk settings. Also reports the server's RSS
# idle and under load.
#
# Usage: bench/http_orgs.sh [seconds] [connections]    (needs wrk and nginx)
# Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
threads=1   # wrk shares the 2 cores with the server: one load thread
bin=${GONGHUI_BIN:-build/gonghui}
work=$(mktemp -d /tmp/gh-bench-http.XXXXXX)
gh_port=18181
ng_port=18182

cleanup() {
  [ -n "${gh_pid:-}" ] && kill "$gh_pid" 2>/dev/null && wait "$gh_pid" 2>/dev/null
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# nginx: 2 workers (one per core), a small JSON file like the org response.
mkdir -p "$work/www"
printf '%s' '{"id":12,"name":"五华区总工会","level":"county","parent_id":4,"region_code":"530102","region_name":"五华区","depth":3,"created_at":"2026-11-29T20:19:09.754Z","updated_at":"2026-11-29T20:19:09.754Z"}' > "$work/www/org.json"
cat > "$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  types { application/json json; }
  server {
    listen 127.0.0.1:$ng_port;
    root $work/www;
  }
}
NGX
nginx -c "$work/nginx.conf"

# gonghui with the small demo data set on SQLite.
"$bin" serve --port $gh_port --data-dir "$work/data" --demo --admin-password 'Bench@2026' \
  > "$work/gonghui.log" 2>&1 &
gh_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$gh_port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"admin","password":"Bench@2026"}' \
  "http://127.0.0.1:$gh_port/api/v1/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
org_id=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$gh_port/api/v1/orgs?level=county&page_size=1" \
  | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$gh_port/api/v1/orgs/$org_id" >/dev/null

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$gh_pid/status"; }
idle_rss=$(rss_kib)

run_wrk() {  # url, extra header
  wrk -t$threads -c"$conns" -d"${secs}s" --latency ${2:+-H "$2"} "$1" 2>&1
}
# Warm both, then measure back to back.
wrk -t1 -c8 -d2s "http://127.0.0.1:$ng_port/org.json" >/dev/null
wrk -t1 -c8 -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$gh_port/api/v1/orgs/$org_id" >/dev/null
ng_out=$(run_wrk "http://127.0.0.1:$ng_port/org.json")
peak=0
( while kill -0 $gh_pid 2>/dev/null; do r=$(rss_kib); echo "$r"; sleep 0.5; done ) > "$work/rss.txt" &
sampler=$!
gh_out=$(run_wrk "http://127.0.0.1:$gh_port/api/v1/orgs/$org_id" "Authorization: Bearer $token")
kill $sampler 2>/dev/null || true
peak=$(sort -n "$work/rss.txt" | tail -1)

rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
p99() { echo "$1" | awk '$1 == "99%" {print $2}'; }
non2xx() { echo "$1" | awk '/Non-2xx/ {print $5}'; }
ng_rps=$(rps "$ng_out"); gh_rps=$(rps "$gh_out")
ratio=$(awk -v a="$gh_rps" -v b="$ng_rps" 'BEGIN {printf "%.2f", a / b}')

echo "| target | requests/s | p99 latency | non-2xx |"
echo "|---|---:|---:|---:|"
echo "| nginx 1.22, static org.json | $ng_rps | $(p99 "$ng_out") | $(non2xx "$ng_out") |"
echo "| gonghui GET /api/v1/orgs/{id} (bearer auth, scope check, SQLite read) | $gh_rps | $(p99 "$gh_out") | $(non2xx "$gh_out") |"
echo
echo "ratio gonghui / nginx: **$ratio** (target ≥ 0.60)"
echo
echo "gonghui RSS: idle $((idle_rss / 1024)) MiB, peak under load $((peak / 1024)) MiB (targets < 40 MiB, < 200 MiB)"
echo "wrk: $threads thread, $conns connections, ${secs} s each, loopback, $(nproc) cores shared by wrk and the server"
