#!/usr/bin/env bash
#! Renders the application icon from its source, assets/icon.svg, into the files the
#! builds embed: assets/icon.png (256 px: the window icon, the Linux menu icon) and
#! assets/icon.ico (16-256 px: the Windows .exe icon, build.rs). The outputs are
#! committed so that a build needs no image tools; run this after editing the SVG.
#! At 16-32 px the tick badge (id="badge") is left out: it would only blur the yuan sign.
set -euo pipefail
cd "$(dirname "$0")/.."
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need rsvg-convert librsvg2-bin
need icotool icoutils

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the small variant: the same drawing without the badge group
python3 - assets/icon.svg "$tmp/small.svg" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
small, n = re.subn(r'<g id="badge">.*?</g>', "", src, flags=re.S)
assert n == 1, "assets/icon.svg has no <g id=\"badge\"> group"
open(sys.argv[2], "w", encoding="utf-8").write(small)
PY
pngs=()
for size in 16 20 24 32 40 48 64 128 256; do
  svg=assets/icon.svg
  [ "$size" -le 32 ] && svg=$tmp/small.svg
  rsvg-convert -w "$size" -h "$size" "$svg" -o "$tmp/$size.png"
  pngs+=("$tmp/$size.png")
done
cp "$tmp/256.png" assets/icon.png
# 256 px stored as PNG inside the ICO (-r), the rest as bitmaps (what Windows 7+ expects)
icotool -c -o assets/icon.ico "${pngs[@]:0:8}" -r "$tmp/256.png"
echo "assets/icon.png and assets/icon.ico written"
