#!/usr/bin/env bash
# The whole suite. With CI=true it runs on a real PostgreSQL cluster that it starts itself (and
# fails if it can't); otherwise it uses PostgreSQL when it can and SQLite when it can't, and says
# which tests that skips.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=.venv/bin/python

if [ -z "${DATABASE_URL:-}" ]; then
  if url=$(scripts/postgres.sh start 2>/tmp/waystation-pgstart.log); then
    export DATABASE_URL=$url
    trap 'scripts/postgres.sh stop' EXIT
  elif [ "${CI:-}" = true ]; then
    cat /tmp/waystation-pgstart.log >&2
    echo "CI=true but PostgreSQL could not be started" >&2
    exit 1
  else
    echo "NOTE: PostgreSQL is not available: running on SQLite; tests marked 'postgres'" \
         "(row locks, concurrency) will be skipped." >&2
  fi
fi
if [ "${CI:-}" = true ] || [ "${WAYSTATION_BROWSER_TESTS:-1}" = 1 ]; then
  scripts/chromium.sh || { [ "${CI:-}" = true ] && exit 1; }
fi
echo "Database: ${DATABASE_URL:-sqlite}" >&2
rc=0
$py -m pytest -q "$@" || rc=$?
exit $rc
