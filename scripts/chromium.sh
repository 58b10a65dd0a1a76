#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it through
# executable_path; no browser is downloaded by Playwright itself), with a Chinese font: without
# one every Chinese glyph is a box, and the tests that measure labels (charts) measure boxes.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} = 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "${need[*]} missing and no apt-get: browser tests may be skipped" >&2; exit 0
fi
echo "Installing Debian's ${need[*]} for the browser tests ..." >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"  # never prompt: fail fast instead
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
