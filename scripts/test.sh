#!/usr/bin/env bash
# The one test command (make test). Uses PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL
# are set or reachable on their default local ports; SQLite with in-process tasks otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -z "${DATABASE_URL:-}" ] && port_open 5432; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/opsdesk"
fi
if [ -z "${CELERY_BROKER_URL:-}" ] && port_open 6379; then
  export CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
fi
echo "make test: database ${DATABASE_URL:-sqlite (embedded)}; broker ${CELERY_BROKER_URL:-none (tasks in-process)}"

export DJANGO_SETTINGS_MODULE=opsdesk.settings.test
# A missing or conflicting migration fails the run before any test does.
DATABASE_URL=sqlite:///${TMPDIR:-/tmp}/opsdesk-migration-check.sqlite3 $PY manage.py makemigrations --check --dry-run -v 0 || { echo "make test: migrations are missing or conflicting" >&2; exit 1; }
# The import contracts (.importlinter: layers, rooms, reports reads selectors) fail the run before any test.
.venv/bin/lint-imports --no-logo || { echo "make test: an import breaks the contracts in .importlinter" >&2; exit 1; }
# The whole suite runs in two processes (pytest-xdist, a module per process at a time: CI's machine has two
# cores); a run of chosen tests (make test ARGS=...) runs in one unless TEST_WORKERS says otherwise.
if [ $# -eq 0 ]; then
  workers=${TEST_WORKERS:-2}
  set -- --durations=30
else
  workers=${TEST_WORKERS:-0}
fi
if [ "$workers" != "0" ]; then
  set -- -n "$workers" --dist loadfile "$@"
fi
$PY -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "make test: no tests were collected" >&2
  exit 1
fi
exit $rc
