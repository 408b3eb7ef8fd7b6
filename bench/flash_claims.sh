#!/usr/bin/env bash
# Benchmark: flash claims over HTTP, POST /api/v1/campaigns/{id}/claims —
# member session, Idempotency-Key, eligibility and per-member limit, the
# stock taken, a sealed pickup code, the audit entry and a durable commit —
# against redis-server running an EVAL stock-decrement script (dedupe set +
# DECR) with appendonly yes and appendfsync always, driven by
# redis-benchmark, in the same run on the same machine.
#
#   bench/flash_claims.sh [seconds 10] [connections 64] [members 100000]
#   GONGHUI_DB   optional postgresql:// URL of an empty database (default: SQLite)
#
# Members come from `gonghui loadtest members` (sessions without Argon2
# logins); each wrk request is another member's first claim, so every
# answer is a 201 with a new pickup code until the members run out. Prints
# one RESULT line and a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
members=${3:-100000}
source bench/lib.sh flash
gh_port=$(free_port)
db_flags=()
[ -n "${GONGHUI_DB:-}" ] && db_flags=(--db "$GONGHUI_DB")
start_gonghui gh_pid "$gh_port" --demo --access-log off "${db_flags[@]}"
base="http://127.0.0.1:$gh_port"
admin=$(login "$gh_port" admin 'Bench@2026')
auth=(-H "Authorization: Bearer $admin" -H 'Content-Type: application/json')
province=$(curl -fs "${auth[@]}" "$base/api/v1/orgs?level=province&page_size=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
unit=$(curl -fs "${auth[@]}" "$base/api/v1/units?page_size=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
"$bin" loadtest members --data-dir "$work/data" "${db_flags[@]}" --unit "$unit" --count "$members" \
  --tokens "$work/tokens.txt" > /dev/null
now=$(date +%s)
campaign=$(curl -fs "${auth[@]}" -d "{\"org_id\":$province,\"name\":\"bench 送清凉\",\"stock\":$members,\
\"starts_at\":\"$(date -u -d @$((now - 60)) +%FT%TZ)\",\"ends_at\":\"$(date -u -d @$((now + 3600)) +%FT%TZ)\"}" \
  "$base/api/v1/campaigns" | sed -E 's/^\{"id":([0-9]+).*/\1/')
sleep 1
gh_out=$(TOKENS_FILE="$work/tokens.txt" CAMPAIGN="$campaign" \
  wrk -t1 -c"$conns" -d"${secs}s" --latency -s bench/flash_wrk.lua "$base" 2>&1)
[ -n "${DEBUG:-}" ] && { echo "$gh_out"; curl -fs "$base/metrics" | grep -E '^gonghui_store_(commit|writes)'; } >&2
claimed=$(curl -fs "${auth[@]}" "$base/api/v1/campaigns/$campaign/stats" | sed -E 's/.*"claimed":([0-9]+).*/\1/')

# redis: the same decision (not claimed yet? stock left? take one, remember
# the member), made durable with an fsync of the append-only file per batch.
rd_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$rd_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync always \
  --save '' --daemonize no > "$work/redis.log" 2>&1 &
stop_later $!
for _ in $(seq 50); do redis-cli -p "$rd_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
script="if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return -1 end
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left <= 0 then return 0 end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
return left"
redis-cli -p "$rd_port" set stock 1000000000 > /dev/null
sha=$(redis-cli -p "$rd_port" script load "$script")
rd_n=$(awk -v s="$secs" 'BEGIN {print int(s * 20000)}')
rd_out=$(redis-benchmark -p "$rd_port" -c "$conns" -n "$rd_n" -r 1000000000 -q \
  evalsha "$sha" 2 stock claimed __rand_int__ 2>&1 | tr '\r' '\n' | grep 'requests per second' | tail -1)
rd_rps=$(echo "$rd_out" | grep -oE '[0-9.]+ requests per second' | awk '{print $1}')
rd_p99=$(echo "$rd_out" | grep -oE 'p50=[0-9.]+ msec' || true)
gh_rps=$(rps "$gh_out")
ratio=$(awk -v a="$gh_rps" -v b="$rd_rps" 'BEGIN {printf "%.2f", a / b}')
store=SQLite
[ -n "${GONGHUI_DB:-}" ] && store=PostgreSQL
echo "RESULT bench=flash_claims store=$store gonghui_rps=$gh_rps redis_rps=$rd_rps ratio=$ratio claimed=$claimed non2xx=$(non2xx "$gh_out")"
echo
echo "| target | claims/s | p99 latency | non-2xx |"
echo "|---|---:|---:|---:|"
echo "| redis-server 7 \`EVALSHA\` (SISMEMBER + GET + DECR + SADD), appendfsync always, redis-benchmark | $rd_rps | | |"
echo "| gonghui \`POST /api/v1/campaigns/{id}/claims\` on $store, access log off, wrk | $gh_rps | $(p99 "$gh_out") | $(non2xx "$gh_out") |"
echo
echo "ratio gonghui / redis: **$ratio** (target ≥ 1.0); $conns connections each, ${secs} s, 1 load thread each, $(nproc) cores shared; packs claimed: $claimed"
