#!/usr/bin/env bash
# Prints the figures we track (not a pass/fail test: machines here are noisy).
#   scripts/bench.sh          release binary size, time to first frame and memory
#                             under Xvfb (median of 5), check-certs time on a real zip
#   scripts/bench.sh --cold   also a cold release build in a fresh target dir (~11 min)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--cold" ]; then
  # cold: nothing of the release profile built yet (the registry download is not timed)
  cargo fetch --locked -q
  rm -rf target/release
  start=$(date +%s)
  cargo build --release --locked -q
  echo "cold_release_build_s=$(( $(date +%s) - start ))"
fi
cargo build --release --locked -q
bin=target/release/wxpay-setup
echo "binary_bytes=$(stat -c %s "$bin")"

display=":$((200 + RANDOM % 50))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1
cfg=$(mktemp -d)
frames=(); rss=()
for _ in 1 2 3 4 5; do
  out=$(DISPLAY=$display WXPAY_SETUP_CONFIG_DIR=$cfg WXPAY_SETUP_FIRST_FRAME_EXIT=1 \
        LANG=zh_CN.UTF-8 timeout 60 "$bin" 2>/dev/null | grep first_frame_ms)
  frames+=("$(sed 's/.*first_frame_ms=\([0-9]*\).*/\1/' <<<"$out")")
  rss+=("$(sed 's/.*rss_kb=\([0-9]*\).*/\1/' <<<"$out")")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "first_frame_ms_median=$(median "${frames[@]}") (runs: ${frames[*]})"
echo "rss_at_first_frame_kb_median=$(median "${rss[@]}")"

# check-certs on a real WXCertUtil-style zip made with openssl
w=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/key.pem" -out "$w/cert.pem" -days 365 \
  -subj "/CN=1900006031/O=WeChat/OU=Bench" 2>/dev/null
(cd "$w" && python3 -m zipfile -c cert.zip cert.pem key.pem)
start=$(date +%s%N)
for _ in $(seq 20); do "$bin" check-certs "$w/cert.zip" >/dev/null || true; done
echo "check_certs_ms_per_run=$(( ( $(date +%s%N) - start ) / 20000000 ))"
