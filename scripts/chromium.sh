#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it through
# executable_path; no browser is downloaded by Playwright itself).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "chromium missing and no apt-get: browser tests will be skipped" >&2; exit 0
fi
echo "Installing Debian's chromium for the browser tests ..." >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"  # never prompt: fail fast instead
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
