#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests, on loopback only.
#
#   scripts/pg.sh start [PORT]   start it (idempotent) and print its URL
#   scripts/pg.sh stop  [PORT]   stop it and delete its data
#   scripts/pg.sh url   [PORT]   print the URL of database gonghui_test
#
# PORT defaults to $GONGHUI_PG_PORT or 55432. The data lives in
# /tmp/gonghui-pg-PORT, owned by the `postgres` OS user (initdb refuses to run
# as root). Loopback connections are trusted: never expose this server.
# fsync stays on, because the store tests check durability.
#
# Tests take a fresh database each: connect to the printed URL and
# CREATE DATABASE with a unique name (see src/db/scratch.h).
set -euo pipefail

cmd=${1:-}
port=${2:-${GONGHUI_PG_PORT:-55432}}
bin=${GONGHUI_PG_BIN:-/usr/lib/postgresql/15/bin}
dir=/tmp/gonghui-pg-$port
db=gonghui_test
url="postgresql://postgres@127.0.0.1:$port/$db"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [ -f "$dir/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

start() {
  if ! running; then
    if [ ! -f "$dir/PG_VERSION" ]; then
      rm -rf "$dir"
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir"
      chmod 700 "$dir"
      as_postgres "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || {
        cat "$dir.initdb.log" >&2
        exit 1
      }
      cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 300
EOF
      # Trust loopback only.
      cat >"$dir/pg_hba.conf" <<EOF
local all all trust
host  all all 127.0.0.1/32 trust
EOF
    fi
    as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null || {
      tail -n 30 "$dir/server.log" >&2
      exit 1
    }
  fi
  if ! as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $db" >/dev/null
  fi
  echo "$url"
}

stop() {
  if running; then
    as_postgres "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
  rm -rf "$dir" "$dir.initdb.log"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  url) echo "$url" ;;
  *)
    echo "usage: $0 start|stop|url [PORT]" >&2
    exit 2
    ;;
esac
