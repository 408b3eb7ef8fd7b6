#!/usr/bin/env bash
# Benchmark (a): an authenticated GET /api/v1/orgs/{id} through the full
# middleware stack, side by side with nginx serving a small static JSON file,
# in the same run with the same wrk settings. Also reports the server's RSS
# idle and under load (sampled every 0.2 s while wrk runs).
#
# Usage: bench/http_orgs.sh [seconds] [connections]    (needs wrk and nginx)
#   GONGHUI_BIN   server binary (default build/gonghui)
#   GONGHUI_DB    optional postgresql:// URL (default: SQLite in a temp dir)
# Prints RESULT lines and a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
threads=1   # wrk shares the 2 cores with the server: one load thread
source bench/lib.sh http
gh_port=$(free_port)
ng_port=$(free_port)
[ "$gh_port" = "$ng_port" ] && ng_port=$((gh_port + 1))
trap '[ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null; bench_cleanup' EXIT

# gonghui with the small demo data set (SQLite unless GONGHUI_DB is set).
db_flags=()
[ -n "${GONGHUI_DB:-}" ] && db_flags=(--db "$GONGHUI_DB")
start_gonghui gh_pid "$gh_port" --demo "${db_flags[@]}"
# The same server and store without the access log (nginx runs with
# access_log off): started after the first has loaded the demo data.
gh2_port=$(free_port)
start_gonghui gh2_pid "$gh2_port" --access-log off "${db_flags[@]}"
token=$(login "$gh_port" admin 'Bench@2026')
org_id=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$gh_port/api/v1/orgs?level=county&page_size=1" \
  | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
url="http://127.0.0.1:$gh_port/api/v1/orgs/$org_id"
body=$(curl -fs -H "Authorization: Bearer $token" "$url")
# nginx: 2 workers (one per core) serving the very bytes gonghui answered,
# as a static file. Its workers run as www-data: the folder must be readable.
mkdir -p "$work/www"
printf '%s' "$body" > "$work/www/org.json"
chmod 755 "$work/www"
chmod 644 "$work/www/org.json"
start_nginx "$ng_port"
ng_version=$(nginx -v 2>&1 | sed 's/.*nginx\///')
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$ng_port/org.json" >/dev/null 2>&1 && break; sleep 0.1; done
[ "$(curl -fs "http://127.0.0.1:$ng_port/org.json")" = "$body" ] || { echo "nginx does not serve org.json" >&2; exit 1; }
sleep 1

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$gh_pid/status"; }
idle_rss=$(rss_kib)

run_wrk() {  # url, extra header
  wrk -t$threads -c"$conns" -d"${secs}s" --latency ${2:+-H "$2"} "$1" 2>&1
}
# Warm both, then measure back to back.
wrk -t1 -c8 -d2s "http://127.0.0.1:$ng_port/org.json" >/dev/null
wrk -t1 -c8 -d2s -H "Authorization: Bearer $token" "$url" >/dev/null
ng_out=$(run_wrk "http://127.0.0.1:$ng_port/org.json")
( while kill -0 $gh_pid 2>/dev/null; do rss_kib; sleep 0.2; done ) > "$work/rss.txt" &
sampler=$!
cpu0=$(awk '{print $14 + $15}' "/proc/$gh_pid/stat")
gh_out=$(run_wrk "$url" "Authorization: Bearer $token")
cpu1=$(awk '{print $14 + $15}' "/proc/$gh_pid/stat")
kill $sampler 2>/dev/null || true
wait $sampler 2>/dev/null || true
sampler=
url2="http://127.0.0.1:$gh2_port/api/v1/orgs/$org_id"
curl -fs -H "Authorization: Bearer $token" "$url2" >/dev/null
wrk -t1 -c8 -d2s -H "Authorization: Bearer $token" "$url2" >/dev/null
gh2_out=$(run_wrk "$url2" "Authorization: Bearer $token")
peak=$(sort -n "$work/rss.txt" | tail -1)
after_rss=$(rss_kib)

p50() { echo "$1" | awk '$1 == "50%" {print $2}'; }
errs() { echo "$1" | awk '/Socket errors/ {print}'; }
ng_rps=$(rps "$ng_out"); gh_rps=$(rps "$gh_out"); gh2_rps=$(rps "$gh2_out")
ratio2=$(awk -v a="$gh2_rps" -v b="$ng_rps" 'BEGIN {printf "%.2f", a / b}')
store_name=SQLite
[ -n "${GONGHUI_DB:-}" ] && store_name=PostgreSQL
ratio=$(awk -v a="$gh_rps" -v b="$ng_rps" 'BEGIN {printf "%.2f", a / b}')
gh_cpu=$(awk -v t="$((cpu1 - cpu0))" -v s="$secs" 'BEGIN {printf "%.2f", t / 100 / s}')

echo "RESULT bench=http nginx_rps=$ng_rps gonghui_rps=$gh_rps ratio=$ratio gonghui_nolog_rps=$gh2_rps ratio_nolog=$ratio2 idle_rss_mib=$((idle_rss / 1024)) peak_rss_mib=$((peak / 1024)) gonghui_cores_busy=$gh_cpu"
echo
echo "| target | requests/s | p50 latency | p99 latency | non-2xx |"
echo "|---|---:|---:|---:|---:|"
echo "| nginx $ng_version, static org.json (the same ${#body}-byte body) | $ng_rps | $(p50 "$ng_out") | $(p99 "$ng_out") | $(non2xx "$ng_out") |"
echo "| gonghui \`GET /api/v1/orgs/{id}\` (bearer auth, permission and scope check, $store_name read), access log on (default, stderr to a file) | $gh_rps | $(p50 "$gh_out") | $(p99 "$gh_out") | $(non2xx "$gh_out") |"
echo "| the same with \`--access-log off\` (as nginx here) | $gh2_rps | $(p50 "$gh2_out") | $(p99 "$gh2_out") | $(non2xx "$gh2_out") |"
echo
echo "ratio gonghui / nginx: **$ratio** with the default access log, **$ratio2** with \`--access-log off\` (target ≥ 0.60)"
echo
echo "gonghui RSS: idle $((idle_rss / 1024)) MiB, peak under load $((peak / 1024)) MiB, after load $((after_rss / 1024)) MiB (targets < 40 MiB, < 200 MiB); gonghui used $gh_cpu cores during its wrk run"
echo "wrk: $threads thread, $conns connections, ${secs} s each, loopback, $(nproc) cores shared by wrk and the server"
for o in "$ng_out" "$gh_out" "$gh2_out"; do e=$(errs "$o"); [ -n "$e" ] && echo "wrk: $e"; done
exit 0
