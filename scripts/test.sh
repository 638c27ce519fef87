#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian/Ubuntu machine with a Rust toolchain.
# Installs what the tests need, then starts a private D-Bus session with
# gnome-keyring (the real Secret Service for the keychain tests) and an Xvfb
# display, and runs `cargo test` inside them. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in dbus-run-session:dbus gnome-keyring-daemon:gnome-keyring Xvfb:xvfb \
            openssl:openssl 7z:p7zip-full php:php-cli; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing test tools: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

exec dbus-run-session -- bash scripts/test-session.sh "$@"
