#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the tests and print its DATABASE_URL.
#   scripts/postgres.sh start   -> prints postgres://... on stdout (installs Debian's server if missing)
#   scripts/postgres.sh stop
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

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      :
    else
      rm -rf "$dir"
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
      as_owner "$bin/initdb" -D "$dir/data" -U waystation --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
      as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U waystation waystation
    fi
    echo "postgres://waystation@127.0.0.1:$port/waystation"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
