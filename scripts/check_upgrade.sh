#!/usr/bin/env bash
# An upgrade, tried for real: a database filled by an older release's demo, migrated by this
# checkout, then compared table by table.
#   scripts/check_upgrade.sh OLD_COMMIT
# Starts its own PostgreSQL cluster (PGTEST_DIR, default /tmp/waystation-upgrade, port 54361),
# checks OLD_COMMIT out into a temporary work tree, runs its `migrate` and `load_demo` there
# (this checkout's .venv), counts the rows of every table, then runs this checkout's `migrate`
# on the same database and checks that no table lost a row and that every foreign key holds.
# Prints the counts; exits non-zero on any loss.
set -euo pipefail
old=${1:?usage: $0 OLD_COMMIT}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PGTEST_DIR=${PGTEST_DIR:-/tmp/waystation-upgrade} PGTEST_PORT=${PGTEST_PORT:-54361}
scripts/postgres.sh reset >/dev/null
url=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop; git worktree remove --force "$tree" 2>/dev/null || true' EXIT
tree=$(mktemp -d /tmp/waystation-old.XXXX)
rmdir "$tree"
git worktree add -q --detach "$tree" "$old"
py=$root/.venv/bin/python
counts() {
  DATABASE_URL=$url "$py" - <<'PY'
from django.db import connection
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
sys.path.insert(0, os.getcwd())
django.setup()
with connection.cursor() as c:
    c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    for (t,) in c.fetchall():
        c.execute(f'SELECT count(*) FROM "{t}"')
        print(t, c.fetchone()[0])
PY
}
echo "== $old: migrate + load_demo" >&2
(cd "$tree" && DATABASE_URL=$url "$py" manage.py migrate --noinput -v0 && \
   DATABASE_URL=$url "$py" manage.py load_demo >/dev/null)
(cd "$tree" && counts) > /tmp/waystation-upgrade-before.txt
echo "== $(git rev-parse --short HEAD): migrate" >&2
start=$(date +%s.%N)
DATABASE_URL=$url "$py" manage.py migrate --noinput -v0
end=$(date +%s.%N)
counts > /tmp/waystation-upgrade-after.txt
DATABASE_URL=$url "$py" - <<'PY'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waystation.settings")
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.db import connection
connection.check_constraints()  # every foreign key and check constraint on every table
print("constraints: all hold")
PY
python3 - "$start" "$end" <<'PY'
import sys
before = dict(l.split() for l in open("/tmp/waystation-upgrade-before.txt"))
after = dict(l.split() for l in open("/tmp/waystation-upgrade-after.txt"))
lost = {t: (int(n), int(after.get(t, 0))) for t, n in before.items() if int(after.get(t, 0)) < int(n)}
for t in sorted(set(before) | set(after)):
    print(f"{t:45s} {before.get(t, '-'):>9} -> {after.get(t, '-'):>9}")
print(f"migrate took {float(sys.argv[2]) - float(sys.argv[1]):.1f} s")
if lost:
    print("LOST ROWS:", lost)
    sys.exit(1)
print("no table lost a row")
PY
