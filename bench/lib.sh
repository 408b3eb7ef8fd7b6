# Shared parts of the HTTP benchmarks (sourced, not run): a scratch folder,
# free ports, starting gonghui and waiting for it, logging in, and cleaning
# up whatever was started when the script exits.
#
#   source bench/lib.sh NAME     → $work (scratch folder), $bin, cleanup trap
#   port=$(free_port)
#   start_gonghui VAR PORT [serve flags…]   → background server, pid in $VAR
#   token=$(login PORT USER PASSWORD)
#   stop_later PID                           → killed at exit
#   rps "$wrk_output", p99 "$wrk_output", non2xx "$wrk_output"

bin=${GONGHUI_BIN:-build/gonghui}
work=$(mktemp -d "/tmp/gh-bench-${1:-run}.XXXXXX")
bench_pids=()

free_port() {  # a port nobody listens on
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

stop_later() { bench_pids+=("$1"); }

bench_cleanup() {
  local p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$work"
}
trap bench_cleanup EXIT

wait_healthy() {  # port
  local _
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "gonghui on port $1 did not come up" >&2
  return 1
}

start_gonghui() {  # pid variable name, port, serve flags…
  local var=$1 port=$2
  shift 2
  "$bin" serve --port "$port" --data-dir "$work/data" --admin-password 'Bench@2026' "$@" \
    > "$work/gonghui-$port.log" 2>&1 &
  printf -v "$var" '%s' $!
  stop_later $!
  wait_healthy "$port"
}

login() {  # port, username, password → bearer token
  curl -fs -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"$3\"}" \
    "http://127.0.0.1:$1/api/v1/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}

# nginx with 2 workers (one per core) serving $work/www on a port. Its
# workers run as www-data: the folders must be readable.
start_nginx() {  # port
  chmod 755 "$work"
  cat > "$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  types { application/json json; }
  server { listen 127.0.0.1:$1; root $work/www; }
}
NGX
  nginx -c "$work/nginx.conf"
}

rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
p99() { echo "$1" | awk '$1 == "99%" {print $2}'; }
non2xx() { echo "$1" | awk '/Non-2xx/ {print $5}'; }
