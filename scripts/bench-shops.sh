#!/usr/bin/env bash
# The thousand-shops figures of issue 13 (printed, not pass/fail: machines here are
# noisy). For each shop count in $N, in a throwaway keychain (its own D-Bus session
# and gnome-keyring, as test-session.sh starts them) and config folder:
#   - imports N shops through the real CLI (`profile import`, six secrets each:
#     AppSecrets, both API keys, backend token and the certificate zip's private key)
#     and prints the mean time per shop of the first 10 and of the last 10, and
#     beside it the floor any client pays for a new item in the same keychain: the
#     median of 10 `secret-tool store` (libsecret-tools; "-" without it);
#   - `export --all --format env`, without and with --include-secrets (median of 3);
#   - `verify --all` offline (every request refused at once: the keychain and the
#     local checks) and against the project's local test WeChat server
#     (examples/wechat_stand_in.rs) with LATENCY_MS (200) added to every request;
#   - the window's first frame with N shops (median of 3, under Xvfb).
#
#   scripts/bench-shops.sh                 N="100 1000", release build (as bench.sh)
#   N=100 BENCH_PROFILE=dev scripts/bench-shops.sh
#   WXPAY_BIN=/path/to/wxpay-setup ...    times another build (e.g. an older commit's)
#   BENCH_TIMES=file ...                  also appends "shops i ms" per import to file
#   VERIFY=0 ...                           skips both verify --all runs
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-release}
case $profile in dev) out_dir=debug ;; *) out_dir=$profile ;; esac
target=${CARGO_TARGET_DIR:-target}

if [ "${1:-}" != "--inside" ]; then
  cargo build --profile "$profile" --locked -q --bin wxpay-setup --example wechat_stand_in
  echo "| shops | import per shop, first 10 / last 10 | secret-tool store | verify --all offline / at ${LATENCY_MS:-200} ms | export --all (no secrets / with) | first frame |"
  echo "|---|---|---|---|---|---|"
  for n in ${N:-100 1000}; do
    dbus-run-session -- bash "$0" --inside "$n" "$target/$out_dir" 2> >(grep -v "fd limit" >&2)
  done
  exit 0
fi

# ---- inside a private D-Bus session: one shop count ----
n=$2
bin=${WXPAY_BIN:-$3/wxpay-setup}
stand_in=$3/examples/wechat_stand_in
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/run
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$work/wechat" && chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'wxpay-bench' | gnome-keyring-daemon --unlock --components=secrets)"
# the daemon outlives the session bus: stop it by its process id at the end
for _ in $(seq 50); do
  keyring_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
    awk '/uint32/ {print $2}') && [ -n "$keyring_pid" ] && { pids+=("$keyring_pid"); break; }
  sleep 0.1
done
export WXPAY_SETUP_KEYCHAIN_SERVICE=wxpay-setup-bench WXPAY_SETUP_CONFIG_DIR=$work/config
export LANG=zh_CN.UTF-8

# one merchant certificate for every shop (made by openssl, as bench.sh does)
(cd "$work/wechat" &&
  openssl req -x509 -newkey rsa:2048 -nodes -keyout apiclient_key.pem -out apiclient_cert.pem \
    -days 365 -subj "/CN=1900006031/O=WeChat/OU=Bench" 2>/dev/null &&
  python3 -m zipfile -c cert.zip apiclient_cert.pem apiclient_key.pem)
serial=$(openssl x509 -in "$work/wechat/apiclient_cert.pem" -noout -serial | cut -d= -f2)
"$stand_in" --shops "$n" --latency-ms "${LATENCY_MS:-200}" --out "$work/wechat" --serial "$serial" &
pids+=($!)
for _ in $(seq 300); do [ -s "$work/wechat/url" ] && break; sleep 0.1; done
url=$(cat "$work/wechat/url")

ms() { echo "$(( ($2 - $1) / 1000000 ))"; }
mean() { local s=0; for v in "$@"; do s=$((s + v)); done; echo $((s / $#)); }
times=()
failed=0
for f in "$work"/wechat/shops/*.toml; do
  start=$(date +%s%N)
  # a refused import is counted, not fatal (the older keychain layout gave up near 900 shops)
  "$bin" profile import "$f" >/dev/null 2>"$work/import.err" || {
    failed=$((failed + 1))
    [ "$failed" -gt 1 ] || { echo "first failed import: $f" >&2; cat "$work/import.err" >&2; }
  }
  times+=("$(ms "$start" "$(date +%s%N)")")
  [ -z "${BENCH_TIMES:-}" ] || echo "$n ${#times[@]} ${times[-1]}" >>"$BENCH_TIMES"
done
first=$(mean "${times[@]:0:10}")
last=$(mean "${times[@]: -10}")
note=""
[ "$failed" = 0 ] || note=" ($failed imports failed)"

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

floor="-"
if command -v secret-tool >/dev/null; then
  raw=()
  for i in $(seq 10); do
    start=$(date +%s%N)
    printf 'raw-%d' "$i" | secret-tool store --label "bench raw $i" service wxpay-bench-raw username "raw$i"
    raw+=("$(ms "$start" "$(date +%s%N)")")
  done
  floor="$(printf '%s\n' "${raw[@]}" | sort -n | sed -n 5p) ms"
fi
timed_export() { # median of 3
  local runs=() start
  for i in 1 2 3; do
    start=$(date +%s%N)
    "$bin" export --all --format env "$@" --out "$work/export-$i" >/dev/null 2>&1 || true
    runs+=("$(ms "$start" "$(date +%s%N)")")
    rm -rf "$work/export-$i"
  done
  median3 "${runs[@]}"
}
export_plain=$(timed_export)
export_secrets=$(timed_export --include-secrets)

secs() { echo "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)) | cut -c1) s"; }
verify="skipped"
offline="skipped"
if [ "${VERIFY:-1}" != 0 ]; then
  # offline: nothing listens on the discard port, every request is refused at once
  start=$(date +%s%N)
  WXPAY_SETUP_MP_API=http://127.0.0.1:9 WXPAY_SETUP_PAY_API=http://127.0.0.1:9 \
    "$bin" verify --all >/dev/null 2>&1 || true
  offline=$(secs "$(ms "$start" "$(date +%s%N)")")
  start=$(date +%s%N)
  rc=0
  WXPAY_SETUP_MP_API=$url WXPAY_SETUP_PAY_API=$url "$bin" verify --all >"$work/verify.out" 2>&1 || rc=$?
  verify=$(secs "$(ms "$start" "$(date +%s%N)")")
  [ "$rc" = 0 ] || verify="$verify (exit $rc: $(grep -c '×' "$work/verify.out" || true) failed rows)"
fi

display=":$((250 + RANDOM % 50))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
sleep 1
frames=()
for _ in 1 2 3; do
  frames+=("$(DISPLAY=$display WXPAY_SETUP_FIRST_FRAME_EXIT=1 timeout 60 "$bin" 2>/dev/null |
    sed -n 's/.*first_frame_ms=\([0-9]*\).*/\1/p' || true)")
done
frame=$(median3 "${frames[@]}")

echo "| $n | $first ms / $last ms$note | $floor | $offline / $verify | $export_plain ms / $export_secrets ms | $frame ms |"
