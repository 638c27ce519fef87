#!/usr/bin/env bash
# Where an import's time goes in the Secret Service as the shop count grows
# (issue 13): counts, not only seconds, since the machines here are noisy.
# For each shop count in $N, in a throwaway keychain (its own D-Bus session and
# gnome-keyring, as bench-shops.sh starts them), N shops are imported through the
# real CLI, then K more imports (and K imports of existing shops) are watched:
#   - the D-Bus calls each import makes to the Secret Service, by method
#     (dbus-monitor), and the daemon's CPU time per import (/proc/<pid>/stat);
#   - what the daemon writes and reads in its keyring folder per import (strace):
#     gnome-keyring rewrites, re-encrypts and fsyncs the whole keyring file on
#     every change, twice for a new item (CreateItem makes the item, then sets its
#     secret), and reads it all back when it notices the file changed;
#   - the daemon's CPU time per SearchItems (busctl, 300 calls, less as many Pings);
#   - the floor any client pays: `secret-tool store` of a new item and
#     `secret-tool lookup`, run between our imports (medians of K).
#
#   scripts/bench-keychain.sh                   N="100 1000", K=10, release build
#   N=100 K=5 BENCH_PROFILE=dev scripts/bench-keychain.sh
#   WXPAY_BIN=/path/to/wxpay-setup ...         another build (e.g. an older commit's)
# Needs dbus-run-session, gnome-keyring-daemon, dbus-monitor, busctl, strace,
# secret-tool (libsecret-tools), openssl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-release}
case $profile in dev) out_dir=debug ;; *) out_dir=$profile ;; esac
target=${CARGO_TARGET_DIR:-target}

if [ "${1:-}" != "--inside" ]; then
  cargo build --profile "$profile" --locked -q --bin wxpay-setup --example wechat_stand_in
  for n in ${N:-100 1000}; do
    dbus-run-session -- bash "$0" --inside "$n" "$target/$out_dir" 2> >(grep -v "fd limit" >&2)
  done
  exit 0
fi

# ---- inside a private D-Bus session: one shop count ----
n=$2
k=${K:-10}
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
keyring_pid=""
for _ in $(seq 50); do
  keyring_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
    awk '/uint32/ {print $2}') && [ -n "$keyring_pid" ] && { pids+=("$keyring_pid"); break; }
  sleep 0.1
done
export WXPAY_SETUP_KEYCHAIN_SERVICE=wxpay-setup-bench WXPAY_SETUP_CONFIG_DIR=$work/config
export LANG=zh_CN.UTF-8

# the shops' files (and one certificate zip) as bench-shops.sh makes them
(cd "$work/wechat" &&
  openssl req -x509 -newkey rsa:2048 -nodes -keyout apiclient_key.pem -out apiclient_cert.pem \
    -days 365 -subj "/CN=1900006031/O=WeChat/OU=Bench" 2>/dev/null &&
  python3 -m zipfile -c cert.zip apiclient_cert.pem apiclient_key.pem)
serial=$(openssl x509 -in "$work/wechat/apiclient_cert.pem" -noout -serial | cut -d= -f2)
"$stand_in" --shops $((n + 3 * k)) --latency-ms 0 --out "$work/wechat" --serial "$serial" &
stand_in_pid=$!
pids+=("$stand_in_pid")
for _ in $(seq 300); do [ -s "$work/wechat/url" ] && break; sleep 0.1; done
kill "$stand_in_pid"
files=("$work"/wechat/shops/*.toml)
for f in "${files[@]:0:n}"; do
  "$bin" profile import "$f" >/dev/null 2>&1 || echo "import failed: $f" >&2
done

ticks() { awk '{print $14 + $15}' "/proc/$keyring_pid/stat"; } # 1 tick = 10 ms
hz=$(getconf CLK_TCK)
now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
keyring_file=$(ls "$XDG_DATA_HOME"/keyrings/*.keyring)
echo "## $n shops: keyring file $(($(stat -c %s "$keyring_file") / 1024)) KiB"

# 1. the calls and the daemon's work of k imports
watch() { # $1 = what, then the shop files to import
  local what=$1 monitor tracer
  shift
  dbus-monitor --session "type='method_call',destination='org.freedesktop.secrets'" \
    >"$work/calls.txt" 2>/dev/null &
  monitor=$!
  strace -f -y -p "$keyring_pid" -e trace=write,read,fsync -o "$work/strace.txt" 2>/dev/null &
  tracer=$!
  sleep 1
  for f in "$@"; do "$bin" profile import "$f" >/dev/null 2>&1; done
  sleep 1
  kill "$monitor" "$tracer"
  wait "$monitor" "$tracer" 2>/dev/null || true
  echo "$what, D-Bus calls per import: $(grep -o 'member=[A-Za-z]*' "$work/calls.txt" |
    grep -v Name | sort | uniq -c |
    awk -v k="$#" '{printf "%s %g, ", substr($2, 8), $1 / k}' | sed 's/, $//')"
  awk -v k="$#" '
    /keyrings\/\.temp-/ && /^[0-9]+ +write\(/ {w++; wb += $NF}
    /keyrings\/[^.]*\.keyring>/ && /^[0-9]+ +read\(/ {rb += $NF}
    / fsync\(/ && /keyrings/ {f++}
    END {printf "  daemon per import: %.1f whole-file writes, %d KiB written, %d fsyncs, %d KiB read back\n",
         w / k, wb / k / 1024, f / k, rb / k / 1024}' "$work/strace.txt"
}
watch "a new shop" "${files[@]:n:k}"
watch "an existing shop again" "${files[@]:0:k}"

# 2. time: our import and the raw client's store/lookup, taken in turns
ours=() raw_store=() raw_lookup=()
t0=$(ticks)
for i in $(seq "$k"); do
  f=${files[n + k + i - 1]}
  s=$(now); "$bin" profile import "$f" >/dev/null 2>&1; ours+=($((($(now) - s) / 1000000)))
done
daemon_ms=$((($(ticks) - t0) * 1000 / hz / k))
for i in $(seq "$k"); do
  s=$(now)
  printf 'raw-secret-%d' "$i" | secret-tool store --label "raw $i" service wxpay-raw username "raw$i"
  raw_store+=($((($(now) - s) / 1000000)))
  s=$(now); secret-tool lookup service wxpay-raw username "raw$i" >/dev/null
  raw_lookup+=($((($(now) - s) / 1000000)))
  f=${files[n + 2 * k + i - 1]}
  s=$(now); "$bin" profile import "$f" >/dev/null 2>&1; ours+=($((($(now) - s) / 1000000)))
done
echo "import (ours), median of $((2 * k)): $(median "${ours[@]}") ms; daemon CPU ${daemon_ms} ms per import"
echo "secret-tool store (a new item), median of $k: $(median "${raw_store[@]}") ms;" \
  "secret-tool lookup: $(median "${raw_lookup[@]}") ms"

# 3. one SearchItems in the daemon (a shop that is not there), less the cost of a call
calls() { # $1 = how many, then the busctl call
  local c=$1 i
  shift
  for i in $(seq "$c"); do busctl --user call org.freedesktop.secrets /org/freedesktop/secrets "$@" >/dev/null; done
}
t0=$(ticks)
calls 300 org.freedesktop.Secret.Service SearchItems 'a{ss}' 2 service wxpay-setup-bench username nobody
search=$(($(ticks) - t0))
t0=$(ticks)
calls 300 org.freedesktop.DBus.Peer Ping
ping=$(($(ticks) - t0))
echo "daemon CPU per SearchItems: $(((search - ping) * 1000000 / hz / 300)) µs (300 searches, less 300 pings)"
