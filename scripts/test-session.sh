#!/usr/bin/env bash
# Inside a private D-Bus session (see test.sh): unlock a throwaway login keyring,
# start Xvfb, run the tests. Nothing here touches the user's real keychain.
set -euo pipefail

export XDG_DATA_HOME XDG_RUNTIME_DIR
XDG_DATA_HOME=$(mktemp -d)           # the throwaway keyring lives here
XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'wxpay-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY="$display"

# Tests share the session keychain: keep their entries apart from anything else.
export WXPAY_SETUP_KEYCHAIN_SERVICE="wxpay-setup-test"
cargo test "$@"
