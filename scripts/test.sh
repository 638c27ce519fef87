#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian/Ubuntu machine with a Rust toolchain.
# Installs what the tests need, starts a real likeadmin (the shop backend the push
# tests write into; ../shared/backends/likeadmin.sh, MariaDB and PHP from Debian's
# packages, about 5 s), then a private D-Bus session with gnome-keyring (the real
# Secret Service for the keychain tests) and an Xvfb display, and runs `cargo test`
# inside them. Extra arguments go to cargo test.
#
# Without ../shared/backends (a clone outside CI) the likeadmin tests say so on one
# line and are skipped; under CI=true they fail instead.
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

# The real likeadmin, one for the whole suite: the tests read LIKEADMIN_URL,
# LIKEADMIN_ACCOUNT, LIKEADMIN_PASSWORD (its env file) and LIKEADMIN_DIR (its
# database socket, for the test that ends a session mid-push).
backends=../shared/backends
la_dir=""
if [ -f "$backends/likeadmin.sh" ]; then
  la_dir=$(mktemp -d)
  if bash "$backends/likeadmin.sh" start "$la_dir" >"$la_dir/start.log" 2>&1; then
    set -a
    # shellcheck disable=SC1091
    . "$la_dir/env"
    set +a
    export LIKEADMIN_DIR="$la_dir"
    echo "likeadmin for the push tests: $LIKEADMIN_URL"
  else
    echo "likeadmin did not start (see $la_dir/start.log); its tests will say so" >&2
    cat "$la_dir/start.log" >&2 || true
  fi
fi
stop_likeadmin() { [ -z "$la_dir" ] || bash "$backends/likeadmin.sh" stop "$la_dir" || true; }
trap stop_likeadmin EXIT

dbus-run-session -- bash scripts/test-session.sh "$@"
