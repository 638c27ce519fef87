#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian/Ubuntu machine with a Rust toolchain.
# Installs what the tests need, then starts a private D-Bus session with
# gnome-keyring (the real Secret Service for the keychain tests) and an Xvfb
# display, and runs `cargo test` inside them. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# php, python3, javac/java and go run the exports in their consumers (tests/exports.rs).
for pair in dbus-run-session:dbus gnome-keyring-daemon:gnome-keyring Xvfb:xvfb \
            openssl:openssl 7z:p7zip-full php:php-cli python3:python3 \
            pip3:python3-pip javac:default-jdk-headless go:golang-go; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing test tools: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The real WeChat Pay SDK for Python (PyPI), which tests/exports.rs builds its client with.
if ! python3 -c 'import wechatpayv3' >/dev/null 2>&1; then
  echo "Installing test tools: wechatpayv3 (PyPI)"
  python3 -m pip install --quiet wechatpayv3 ||
    python3 -m pip install --quiet --break-system-packages wechatpayv3
fi

exec dbus-run-session -- bash scripts/test-session.sh "$@"
