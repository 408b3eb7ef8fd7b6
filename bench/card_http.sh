#!/usr/bin/env bash
# Benchmark (f): online card verification, POST /api/v1/terminal/card/verify
# with a valid token, every request signed by a registered terminal (HMAC,
# fresh nonce, docs/terminals.md), against nginx serving the same answer as
# a static JSON file, in the same run, with wrk on loopback.
#
#   bench/card_http.sh [seconds 5] [connections 64] [signed requests 300000]
#
# wrk cannot compute HMACs, so bench/card_sign.mjs signs the requests before
# the clock starts (each nonce is used once: the server refuses replays) and
# bench/card_wrk.lua replays them in order. Prints one RESULT line and a
# Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-64}
count=${3:-300000}
source bench/lib.sh card
gh_port=$(free_port)
ng_port=$(free_port)
[ "$gh_port" = "$ng_port" ] && ng_port=$((gh_port + 1))
start_gonghui gh_pid "$gh_port" --demo --access-log off
base="http://127.0.0.1:$gh_port"
admin=$(login "$gh_port" admin 'Bench@2026')
member=$(login "$gh_port" 13800138000 'Demo@2026')
terminal=$(curl -fs -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"地铁闸机 bench","kind":"gate","org_id":1}' "$base/api/v1/terminals")
card_token=$(curl -fs -H "Authorization: Bearer $member" "$base/api/v1/me/card" | sed -E 's/.*"token":"([^"]+)".*/\1/')
node bench/card_sign.mjs "$terminal" "$card_token" "$count" > "$work/signed.txt"
body="{\"token\":\"$card_token\"}"
# One request by hand: the answer nginx will serve.
answer=$(SIGNED="$work/signed.txt" node -e '
  const fs = require("fs"); const lines = fs.readFileSync(process.env.SIGNED, "utf8").split("\n");
  process.stdout.write(lines[0].replace(/^-- first: /, ""));')
valid=$(curl -fs -H 'Content-Type: application/json' $answer -d "$body" "$base/api/v1/terminal/card/verify")
echo "$valid" | grep -q '"valid":true' || { echo "card verify did not answer valid: $valid" >&2; exit 1; }
mkdir -p "$work/www"; printf '%s' "$valid" > "$work/www/verify.json"; chmod 755 "$work/www"; chmod 644 "$work/www/verify.json"
start_nginx "$ng_port"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$ng_port/verify.json" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1
ng_out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$ng_port/verify.json" 2>&1)
gh_out=$(cd "$work" && SIGNED_FILE="$work/signed.txt" BODY="$body" \
  wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$OLDPWD/bench/card_wrk.lua" "$base/api/v1/terminal/card/verify" 2>&1)
[ -n "${DEBUG:-}" ] && echo "$gh_out" >&2
ng_rps=$(rps "$ng_out"); gh_rps=$(rps "$gh_out")
ratio=$(awk -v a="$gh_rps" -v b="$ng_rps" 'BEGIN {printf "%.2f", a / b}')
store=SQLite
echo "RESULT bench=card_http nginx_rps=$ng_rps gonghui_rps=$gh_rps ratio=$ratio non2xx=$(non2xx "$gh_out")"
echo
echo "| target | requests/s | p99 latency | non-2xx |"
echo "|---|---:|---:|---:|"
echo "| nginx, static verify.json (the same answer) | $ng_rps | $(p99 "$ng_out") | $(non2xx "$ng_out") |"
echo "| gonghui \`POST /api/v1/terminal/card/verify\` (terminal HMAC + nonce, token known or signed again, $store member lookup), access log off | $gh_rps | $(p99 "$gh_out") | $(non2xx "$gh_out") |"
echo
echo "ratio gonghui / nginx: **$ratio** (target ≥ 0.50); wrk 1 thread, $conns connections, ${secs} s, $(nproc) cores shared"
