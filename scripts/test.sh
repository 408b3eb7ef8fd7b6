#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install everything the tests
# need, build with warnings as errors, start a throwaway PostgreSQL on
# loopback, and run every test layer:
#   1. unit and store tests (GoogleTest via ctest; store tests on SQLite and PostgreSQL)
#   2. API tests: the real server binary over HTTP, on SQLite and on PostgreSQL
#   3. end-to-end tests: the web app in headless Chromium against the real server
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --test
bash scripts/build.sh --werror
bash scripts/build-web.sh

export GONGHUI_TEST_PG
GONGHUI_TEST_PG=$(bash scripts/pg.sh start)
echo "test: PostgreSQL at $GONGHUI_TEST_PG"

logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
bad=()
# Adds a runner's own counts to the totals; a runner that dies before
# printing them counts as one failure.
tally() {  # name, exit status, passed, failed
  passed=$((passed + ${3:-0}))
  failed=$((failed + ${4:-0}))
  if [ "$2" != 0 ]; then
    bad+=("$1")
    [ "${4:-0}" = 0 ] && failed=$((failed + 1))
  fi
}

set +e
(cd build && ctest -j2 --output-on-failure --timeout 300) 2>&1 | tee "$logs/ctest.log"
status=${PIPESTATUS[0]}
total=$(grep -oP 'out of \K[0-9]+' "$logs/ctest.log" | tail -1)
nfail=$(grep -oP 'tests passed, \K[0-9]+(?= tests failed)' "$logs/ctest.log" | tail -1)
tally "unit and store tests" "$status" $(( ${total:-0} - ${nfail:-0} )) "${nfail:-0}"

export GONGHUI_BIN="$PWD/build/gonghui"
for store in sqlite postgres; do
  GONGHUI_API_STORE=$store node --test --test-concurrency=2 tests/api/ 2>&1 | tee "$logs/api-$store.log"
  status=${PIPESTATUS[0]}
  tally "API tests on $store" "$status" "$(grep -oP '^# pass \K[0-9]+' "$logs/api-$store.log" | tail -1)" \
    "$(grep -oP '^# fail \K[0-9]+' "$logs/api-$store.log" | tail -1)"
done
node --test --test-concurrency=1 tests/e2e/ 2>&1 | tee "$logs/e2e.log"
status=${PIPESTATUS[0]}
tally "end-to-end tests" "$status" "$(grep -oP '^# pass \K[0-9]+' "$logs/e2e.log" | tail -1)" \
  "$(grep -oP '^# fail \K[0-9]+' "$logs/e2e.log" | tail -1)"
set -e

[ ${#bad[@]} -gt 0 ] && echo "failing: ${bad[*]}"
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#bad[@]} = 0 ]
