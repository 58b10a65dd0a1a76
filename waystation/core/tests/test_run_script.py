"""`make run` (scripts/run.sh): the job worker is started again when it exits, and Ctrl-C stops the
worker and the server, leaving no process behind."""

import os
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Stands in for the virtualenv's python: the first worker dies at once, the next one stays up.
FAKE_PYTHON = """#!/bin/sh
echo "$2 $$" >&2
case "$2" in
  run_jobs) [ -e "$STATE/crashed" ] && exec sleep 600; touch "$STATE/crashed"; exit 3 ;;
  runserver) exec sleep 600 ;;
esac
"""


def _pid(line: str) -> int:
    return int(line.split()[-1])


def test_the_job_worker_is_restarted_and_ctrl_c_stops_it_and_the_server(tmp_path, follow):
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    env = {**os.environ, "STATE": str(tmp_path), "WORKER_RESTART_SECONDS": "0"}
    proc = subprocess.Popen(
        [ROOT / "scripts" / "run.sh", python, "127.0.0.1:8000"], env=env,
        stderr=subprocess.PIPE, text=True, start_new_session=True,  # its own terminal group
    )  # fmt: skip
    log = follow(proc.stderr)
    log.wait_for("job worker exited (status 3); restarting it in 0 s")
    workers = [_pid(line) for line in log.wait_for("run_jobs ", n=2)]
    server = _pid(log.wait_for("runserver ")[0])

    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    assert proc.wait(timeout=30) == -signal.SIGINT
    for pid in [workers[1], server]:
        assert not Path(f"/proc/{pid}").exists(), pid
