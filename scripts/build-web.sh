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
npm ci --no-audit --no-fund --loglevel=error
npx vite build --logLevel warn
echo "$current" > "$stamp"
