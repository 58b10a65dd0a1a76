#!/usr/bin/env bash
# A PostgreSQL cluster for the tests (in $PGTEST_DIR, on $PGTEST_PORT); prints its DATABASE_URL.
#   scripts/postgres.sh start   -> starts the cluster, creating it the first time; prints postgres://...
#                                  (installs Debian's server if missing)
#   scripts/postgres.sh stop
#   scripts/postgres.sh reset   -> deletes the cluster and starts an empty one; the only command that
#                                  deletes anything
# A cluster left by a crash (a stale postmaster.pid) is started again, not deleted: pg_ctl sees that
# the PID in the file is no longer a postmaster and PostgreSQL recovers from its WAL.
# initdb refuses to run as root, so as root the cluster belongs to an unprivileged user.
set -euo pipefail
cmd=${1:-start}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${PGTEST_DIR:-/tmp/waystation-pgtest}
port=${PGTEST_PORT:-54329}

find_bin() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  if [ "$cmd" = stop ]; then exit 0; fi
  echo "PostgreSQL server not found; installing Debian's postgresql ..." >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"  # never prompt: fail fast instead
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
  owner=${PGTEST_USER:-postgres}
  id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home "$owner"
fi

pg_start() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
}

# The state of the process named in postmaster.pid: nothing (no such process), Z (a crashed
# postmaster not yet reaped, which pg_ctl and PostgreSQL still count as running) or another state.
postmaster_state() {
  local pid
  pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null) || return 0
  ps -o stat= -p "$pid" 2>/dev/null | cut -c1 || true
}

start() {
  local state
  state=$(postmaster_state)
  for _ in $(seq 50); do  # a crashed postmaster's zombie goes within moments
    [ "$state" = Z ] || break
    sleep 0.2
    state=$(postmaster_state)
  done
  if [ -n "$state" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    :  # already running
  elif [ -f "$dir/data/PG_VERSION" ]; then
    pg_start || {
      echo "PostgreSQL in $dir did not start (see $dir/log); 'scripts/postgres.sh reset' deletes" \
           "and recreates it" >&2
      exit 1
    }
  else
    rm -rf "$dir/data"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U waystation --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    pg_start
  fi
  if [ -z "$(as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U waystation -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'waystation'")" ]; then
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U waystation waystation
  fi
  echo "postgres://waystation@127.0.0.1:$port/waystation"
}

stop() {
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  reset)
    stop
    rm -rf "$dir"
    start
    ;;
  *) echo "usage: $0 start|stop|reset" >&2; exit 2 ;;
esac
