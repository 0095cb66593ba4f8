#!/usr/bin/env bash
# What `make test` needs from the machine, checked before anything else runs (it used to
# run for ten minutes and then fail on the browser tests). It installs what it can (Debian's
# chromium, when run as root with apt-get) and otherwise stops at once, printing the exact
# command to run. Python environments are `make install`'s job; this only checks that it
# can do it (an interpreter, the disk space), so a fresh machine stops here, not later.
set -uo pipefail
cd "$(dirname "$0")/.."

problems=0
fail() {
  echo "ERROR: $1" >&2
  problems=$((problems + 1))
}

# --- chromium, for the browser tests (tests/e2e/test_browser_chat.py)
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "--- installing Debian's chromium for the browser tests (apt-get, about a minute)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null; then
      fail "apt-get could not install chromium. Run: apt-get update && apt-get install -y chromium"
    elif ! command -v chromium >/dev/null 2>&1; then
      fail "chromium was installed but is not on PATH. Add its directory to PATH (Debian: /usr/bin)."
    fi
  elif command -v apt-get >/dev/null 2>&1; then
    fail "the browser tests need Debian's chromium. Run: sudo apt-get update && sudo apt-get install -y chromium"
  else
    fail "the browser tests need Chromium as \`chromium\` on PATH. Install it with your package manager (Debian/Ubuntu: sudo apt-get install -y chromium)."
  fi
fi

# --- the app's Python 3.11 (the Makefile looks in the same places)
if [ ! -f .venv/.installed ]; then
  py311=$(command -v python3.11 || ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.11.*/bin/python3.11 2>/dev/null | tail -1)
  if [ -z "$py311" ]; then
    fail "the app needs Python 3.11. Run: sudo apt-get install -y python3.11 python3.11-venv (or: pyenv install 3.11)"
  fi
fi

# --- the engine's Python 3.10 and ~3 GB for its environment (mostly TensorFlow)
if [ ! -f .venv-rasa/.installed ]; then
  free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
  if [ -n "$free_kb" ] && [ "$free_kb" -lt 4000000 ]; then
    fail "installing the Rasa engine needs about 4 GB free here; $((free_kb / 1024)) MB are. Free some space, then run make test again."
  fi
fi

# --- PostgreSQL, when the suite is asked to run on it too
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  hostport=$(sed -E 's#^[a-z+]+://([^@/]*@)?([^/?]*).*#\2#' <<<"$TEST_DATABASE_URL")
  host=${hostport%%:*}
  port=${hostport##*:}
  [ "$port" = "$hostport" ] && port=5432
  host=${host:-127.0.0.1}
  if ! timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    fail "TEST_DATABASE_URL points at PostgreSQL on $host:$port, which does not answer. Start it (Debian: sudo service postgresql start), or unset TEST_DATABASE_URL to test on SQLite only."
  fi
fi

if [ "$problems" -gt 0 ]; then
  echo "make test stopped before running anything: fix the above, then run make test again." >&2
  exit 1
fi
