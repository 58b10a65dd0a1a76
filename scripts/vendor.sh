#!/usr/bin/env bash
# Vendor the front-end libraries into waystation/static/vendor/, byte for byte as published on the
# npm registry (`npm pack`, no build step, no edits), with their licence and notice files.
#   scripts/vendor.sh   -> fetches the versions below and copies the files; `git diff` shows changes
# Every file a vendored file names (a source map, an image in a stylesheet) must be vendored too:
# the production static storage rewrites those references to hashed names and refuses one that
# is missing (waystation/core/tests/test_production_server.py runs that collectstatic).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/waystation/static/vendor
LEAFLET=1.9.4
ECHARTS=5.6.0
JSQR=1.4.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$LEAFLET" "echarts@$ECHARTS" "jsqr@$JSQR" >/dev/null)
mkdir -p "$work/leaflet" "$work/echarts" "$work/jsqr"
tar -xzf "$work/leaflet-$LEAFLET.tgz" -C "$work/leaflet" --strip-components=1
tar -xzf "$work/echarts-$ECHARTS.tgz" -C "$work/echarts" --strip-components=1
tar -xzf "$work/jsqr-$JSQR.tgz" -C "$work/jsqr" --strip-components=1

rm -rf "$dest/leaflet" "$dest/echarts" "$dest/jsqr"
mkdir -p "$dest/leaflet/images" "$dest/echarts/licenses" "$dest/jsqr"
l=$work/leaflet
cp "$l/dist/leaflet.js" "$l/dist/leaflet.js.map" "$l/dist/leaflet.css" "$l/LICENSE" "$dest/leaflet/"
cp "$l"/dist/images/*.png "$dest/leaflet/images/"
e=$work/echarts
cp "$e/dist/echarts.min.js" "$e/LICENSE" "$e/NOTICE" "$dest/echarts/"
cp "$e/licenses/LICENSE-d3" "$dest/echarts/licenses/"
# the card check's QR decoder where the browser has no BarcodeDetector (plain script, no map)
cp "$work/jsqr/dist/jsQR.js" "$work/jsqr/LICENSE" "$dest/jsqr/"
echo "vendored leaflet@$LEAFLET echarts@$ECHARTS jsqr@$JSQR into $dest" >&2
