#!/usr/bin/env bash
# Builds what a merchant downloads, into dist/ (each file with a .sha256 beside it):
#   wxpay-setup-<version>-windows-x64.zip   wxpay-setup.exe (double-click), wxpay-setup-cli.exe
#                                           (cmd/PowerShell), licences, bilingual 使用说明.txt
#   wxpay-setup_<version>-1_amd64.deb       cargo-deb ([package.metadata.deb]): binary, menu
#                                           entry, icon, licences
#   wxpay-setup-<version>-linux-x86_64.tar.gz  the binary, .desktop, icon, licences, README
# and then checks them: lists each archive, compares with what must be inside, unpacks the
# .deb into a scratch root (dpkg -x) and runs its binary with --version.
# Usage: scripts/package.sh [--windows] [--linux]   (no option: both)
# WINDOWS_TARGET_DIR: the cross-build's target dir (default: the cargo target dir).
# Needs: the Windows target and MinGW (see scripts/windows-test.sh), cargo-deb (installed
# with `cargo install --locked cargo-deb` when missing), python3, dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")/.."
want_windows=0 want_linux=0
for a in "$@"; do
  case $a in
    --windows) want_windows=1 ;;
    --linux) want_linux=1 ;;
    *) echo "usage: $0 [--windows] [--linux]" >&2; exit 2 ;;
  esac
done
((want_windows + want_linux)) || want_windows=1 want_linux=1
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
tdir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
dist=$PWD/dist
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "package: FAIL: $*" >&2; exit 1; }
sum() { (cd "$dist" && sha256sum "$1" >"$1.sha256"); echo "  $1  $(stat -c %s "$dist/$1") B"; }
# a zip with UTF-8 names (Explorer reads the UTF-8 flag), files only, stable order
zipdir() { # dir, out.zip
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(src))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for root, _dirs, files in sorted(os.walk(src)):
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, base))
PY
}
# text for Notepad: CRLF line ends, UTF-8 with a BOM
crlf() { printf '\xef\xbb\xbf' >"$2"; sed 's/\r*$/\r/' "$1" >>"$2"; }

if ((want_windows)); then
  target=x86_64-pc-windows-gnu
  echo "== Windows zip"
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
  wtdir=$(realpath -m "${WINDOWS_TARGET_DIR:-$tdir}")
  CARGO_TARGET_DIR=$wtdir cargo build --release --locked --target "$target" --bins
  name=wxpay-setup-$version-windows-x64
  d=$stage/$name
  mkdir -p "$d"
  cp "$wtdir/$target/release/wxpay-setup.exe" "$wtdir/$target/release/wxpay-setup-cli.exe" "$d/"
  crlf assets/windows/使用说明.txt "$d/使用说明.txt"
  crlf LICENSE-MIT "$d/LICENSE-MIT.txt"
  crlf LICENSE-APACHE "$d/LICENSE-APACHE.txt"
  crlf assets/fonts/OFL.txt "$d/OFL-字体许可.txt"
  rm -f "$dist/$name.zip"
  zipdir "$d" "$dist/$name.zip"
  sum "$name.zip"
  listing=$(python3 -m zipfile -l "$dist/$name.zip" | awk 'NR > 1 {print $1}' | sort | tr '\n' ' ')
  expect="$name/LICENSE-APACHE.txt $name/LICENSE-MIT.txt $name/OFL-字体许可.txt $name/wxpay-setup-cli.exe $name/wxpay-setup.exe $name/使用说明.txt "
  [ "$listing" = "$expect" ] || fail "zip holds: $listing; expected: $expect"
  python3 -m zipfile -t "$dist/$name.zip" >/dev/null || fail "zip test"
fi

if ((want_linux)); then
  echo "== Linux .deb and tarball"
  cargo build --release --locked --bin wxpay-setup
  command -v cargo-deb >/dev/null || cargo install --locked cargo-deb
  deb=$(cargo deb --no-build --locked --output "$dist" 2>"$stage/deb.err" | tail -1)
  [ -f "$deb" ] || fail "cargo deb wrote no package: $(cat "$stage/deb.err")"
  sum "$(basename "$deb")"
  contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for f in ./usr/bin/wxpay-setup ./usr/share/applications/wxpay-setup.desktop \
    ./usr/share/icons/hicolor/256x256/apps/wxpay-setup.png ./usr/share/doc/wxpay-setup/OFL-font.txt \
    ./usr/share/doc/wxpay-setup/LICENSE-MIT; do
    grep -qx "$f" <<<"$contents" || fail ".deb lacks $f"
  done
  dpkg-deb -f "$deb" Depends | grep -q libgl1 || fail ".deb Depends"
  dpkg -x "$deb" "$stage/debroot"
  "$stage/debroot/usr/bin/wxpay-setup" --version | grep -qF "$version" || fail ".deb binary --version"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$stage/debroot/usr/share/applications/wxpay-setup.desktop"
  fi

  name=wxpay-setup-$version-linux-x86_64
  d=$stage/$name
  mkdir -p "$d"
  cp "$tdir/release/wxpay-setup" assets/linux/wxpay-setup.desktop README.md LICENSE-MIT \
    LICENSE-APACHE "$d/"
  cp assets/icon.png "$d/wxpay-setup.png"
  cp assets/fonts/OFL.txt "$d/OFL-font.txt"
  tar -C "$stage" --owner=0 --group=0 -czf "$dist/$name.tar.gz" "$name"
  sum "$name.tar.gz"
  tar -tzf "$dist/$name.tar.gz" | grep -qx "$name/wxpay-setup" || fail "tarball lacks the binary"
fi
echo "== dist/ ready"
