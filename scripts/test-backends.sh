#!/usr/bin/env bash
# The suite on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL: both at once.
# Each pass has its own database (a temporary SQLite file; a schema of its own on
# PostgreSQL), its own free ports and its own live stacks, so they don't meet; most of a
# pass's time is spent waiting on live servers, so two passes share 2 CPUs well.
# Set TEST_BACKENDS_SERIAL=1 to run them one after the other. Logs: var/test-<backend>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
mkdir -p var

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec "$PY" -m pytest -q "$@"
fi

run() {  # backend, then pytest arguments
  local backend=$1 start rc
  shift
  start=$(date +%s)
  FIRSTCALL_TEST_BACKEND=$backend "$PY" -m pytest -q -p no:cacheprovider "$@" \
    > "var/test-$backend.log" 2>&1
  rc=$?
  echo "$rc $(( $(date +%s) - start ))" > "var/test-$backend.rc"
  return $rc
}

if [ -n "${TEST_BACKENDS_SERIAL:-}" ]; then
  run sqlite "$@"
  run postgresql "$@"
else
  echo "--- the suite on SQLite and on PostgreSQL ($TEST_DATABASE_URL), at the same time"
  run sqlite "$@" &
  sqlite_pid=$!
  run postgresql "$@" &
  pg_pid=$!
  wait $sqlite_pid
  wait $pg_pid
fi

status=0
for backend in sqlite postgresql; do
  read -r rc seconds < "var/test-$backend.rc"
  echo "=== $backend: exit $rc after ${seconds}s (var/test-$backend.log)"
  if [ "$rc" != "0" ]; then
    cat "var/test-$backend.log"
    status=1
  else
    tail -n 5 "var/test-$backend.log"
  fi
done
exit $status
