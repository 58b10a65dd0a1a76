#!/usr/bin/env bash
# `make run`: the job worker beside the development server. The worker is started again whenever it
# exits (it rides out a database restart by itself; this catches anything else); Ctrl-C stops both.
#   scripts/run.sh PYTHON HOST:PORT      (WORKER_RESTART_SECONDS: the pause before a restart, 2)
set -u
py=$1
addr=$2
pause=${WORKER_RESTART_SECONDS:-2}

worker_loop() {
  local pid=
  trap '' INT  # Ctrl-C: the main shell decides, and stops this loop with TERM
  trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM
  while :; do
    "$py" manage.py run_jobs &
    pid=$!
    wait "$pid"
    echo "job worker exited (status $?); restarting it in $pause s" >&2
    sleep "$pause" &
    pid=$!
    wait "$pid"
  done
}

# Both run in the background so that the traps fire at once (bash runs a trap only after a
# foreground command ends); background commands ignore Ctrl-C's SIGINT, so the traps stop them.
worker_loop &
loop=$!
"$py" manage.py runserver --noreload "$addr" &
server=$!
stop() { kill "$server" "$loop" 2>/dev/null; wait; }
trap stop EXIT
trap 'trap - INT EXIT; stop; kill -INT $$' INT  # end by SIGINT, as Ctrl-C's callers expect
trap 'exit 143' TERM
wait "$server"
