#!/usr/bin/env bash
# Builds the web app (staff console /admin/, member pages /m/) into web/dist,
# which the server finds next to build/gonghui. Skips the work when the
# sources have not changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=dist/.built-from
current=$(cat package-lock.json vite.config.js $(find admin m src -type f | sort) | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$current" ] && [ -d node_modules ]; then
  echo "web: up to date"
  exit 0
fi
# A registry connection that stalls (it happens) is cut after a minute and
# the install tried again, up to three times.
for attempt in 1 2 3; do
  if timeout 600 npm ci --no-audit --no-fund --loglevel=error --fetch-timeout=60000 --fetch-retries=4; then
    break
  fi
  [ "$attempt" = 3 ] && { echo "web: npm ci failed three times" >&2; exit 1; }
  echo "web: npm ci failed (attempt $attempt), trying again" >&2
done
npx vite build --logLevel warn
echo "$current" > "$stamp"
