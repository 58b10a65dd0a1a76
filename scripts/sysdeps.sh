#!/usr/bin/env bash
# Debian packages a fresh machine may lack. `venv`: python3-venv, then create .venv.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
case "${1:-}" in
  venv)
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-dev
    python3 -m venv .venv
    ;;
  *) echo "usage: $0 venv" >&2; exit 2 ;;
esac
