#!/usr/bin/env bash
# Write a new schema migration for the changes in gigbot/models.py.
#   scripts/makemigrations.sh -n add_something
# Before the first release only: scripts/makemigrations.sh --reset  (rewrites 0001_initial)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/mkcfg.py" <<PY
from gigbot.db import tortoise_config
TORTOISE_ORM = tortoise_config("sqlite://$tmp/db.sqlite3")
PY
if [ "${1:-}" = "--reset" ]; then
  rm -f gigbot/db/migrations/0*.py
  set -- -n initial
fi
PYTHONPATH="$tmp" "$py" -m tortoise -c mkcfg.TORTOISE_ORM makemigrations "$@"
