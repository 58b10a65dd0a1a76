#!/usr/bin/env bash
# A PostgreSQL cluster for the tests (in $PGTEST_DIR, on $PGTEST_PORT); prints its DATABASE_URL.
#   scripts/postgres.sh start   -> starts the cluster, creating it the first time; prints postgres://...
#                                  (installs Debian's server if missing)
#   scripts/postgres.sh stop
#   scripts/postgres.sh reset   -> deletes the cluster (and its standby) and starts an empty one; the
#                                  only command that deletes data
#   scripts/postgres.sh replica -> a streaming standby of the running cluster on 127.0.0.1:$PGTEST_PORT,
#                                  in $PGTEST_REPLICA_DIR (default $PGTEST_DIR-replica) on
#                                  $PGTEST_REPLICA_PORT (default PGTEST_PORT+1); prints its postgres://...
#                                  A standby still running and still of this cluster is reused.
#   scripts/postgres.sh replica-stop -> stops the standby and deletes it: a copy of the primary,
#                                  made again by `replica`
# A cluster left by a crash (a stale postmaster.pid) is started again, not deleted: pg_ctl sees that
# the PID in the file is no longer a postmaster and PostgreSQL recovers from its WAL.
# initdb refuses to run as root, so as root the cluster belongs to an unprivileged user.
set -euo pipefail
cmd=${1:-start}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${PGTEST_DIR:-/tmp/waystation-pgtest}
port=${PGTEST_PORT:-54329}
rdir=${PGTEST_REPLICA_DIR:-$dir-replica}
rport=${PGTEST_REPLICA_PORT:-$((port + 1))}

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
  case "$cmd" in stop | replica-stop) exit 0 ;; esac
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

# pg_ctl_start DIR PORT: the cluster in DIR/data, its log in DIR/log and its socket in DIR. A
# standby needs max_connections at least the primary's, so both are started alike.
pg_ctl_start() {
  as_owner "$bin/pg_ctl" -D "$1/data" -l "$1/log" -w -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
}

pg_start() {
  pg_ctl_start "$dir" "$port"
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
  [ -d "$rdir/data" ] && as_owner "$bin/pg_ctl" -D "$rdir/data" -m fast stop >/dev/null 2>&1 || true
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

# The system identifier of the cluster on 127.0.0.1:PORT (initdb's, copied by pg_basebackup).
system_id() {
  as_owner "$bin/psql" -h 127.0.0.1 -p "$1" -U waystation -d postgres -tAc \
    "SELECT system_identifier FROM pg_control_system()"
}

# The primary needs nothing set for this: initdb's defaults are wal_level=replica and
# max_wal_senders=10, and --auth=trust writes "host replication all 127.0.0.1/32 trust" into
# pg_hba.conf; the primary's user (waystation, the initdb superuser) may replicate.
replica() {
  local primary_id
  primary_id=$(system_id "$port") || {
    echo "no PostgreSQL on 127.0.0.1:$port to replicate ('scripts/postgres.sh start' first)" >&2
    exit 1
  }
  if [ -f "$rdir/data/standby.signal" ] \
      && as_owner "$bin/pg_ctl" -D "$rdir/data" status >/dev/null 2>&1; then
    local running_port
    running_port=$(sed -n 4p "$rdir/data/postmaster.pid")
    if [ "$(system_id "$running_port" 2>/dev/null)" = "$primary_id" ]; then
      echo "postgres://waystation@127.0.0.1:$running_port/waystation"
      return
    fi
  fi
  replica_stop  # anything else there (stopped, or a standby of the cluster before a reset): anew
  mkdir -p "$rdir"
  [ "$(id -u)" = 0 ] && chown "$owner" "$rdir"
  # -R: standby.signal and primary_conninfo, so it starts as a standby streaming from the primary
  as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U waystation -D "$rdir/data" -R \
    -X stream -c fast >&2
  pg_ctl_start "$rdir" "$rport" || {
    echo "the standby in $rdir did not start (see $rdir/log)" >&2
    exit 1
  }
  echo "postgres://waystation@127.0.0.1:$rport/waystation"
}

replica_stop() {
  [ -d "$rdir/data" ] && as_owner "$bin/pg_ctl" -D "$rdir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$rdir"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  reset)
    stop
    rm -rf "$dir" "$rdir"
    start
    ;;
  replica) replica ;;
  replica-stop) replica_stop ;;
  *) echo "usage: $0 start|stop|reset|replica|replica-stop" >&2; exit 2 ;;
esac
