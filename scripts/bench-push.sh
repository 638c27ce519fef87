#!/usr/bin/env bash
# Figures for the push (issue 16, issue 18 item 1): peak memory and time of
#   1. a push whose receiver answers an endless chunked 200 (must end as "reply too large"),
#   2. a push into a well-behaved receiver (GET read-back, POST, GET again),
# each the real binary in a private keychain session, measured from outside (wait4's
# ru_maxrss). Prints figures; asserts nothing.
# Usage: bash scripts/bench-push.sh [path/to/wxpay-setup]   (default: a debug build of this tree)
set -euo pipefail
given=${1:+$(realpath "$1")}
cd "$(dirname "$0")/.."
bin=${given:-$PWD/target/debug/wxpay-setup}
if [ -z "${WXPAY_BENCH_SESSION:-}" ]; then
  [ -n "${1:-}" ] || cargo build --quiet --bin wxpay-setup
  exec env WXPAY_BENCH_SESSION=1 dbus-run-session -- bash "$0" "$@"
fi

export XDG_DATA_HOME XDG_RUNTIME_DIR
XDG_DATA_HOME=$(mktemp -d)
XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'wxpay-bench' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL WXPAY_SETUP_KEYCHAIN_SERVICE=wxpay-setup-bench

python3 - "$bin" <<'PY'
import http.server, json, os, socketserver, subprocess, sys, tempfile, threading, time

binary = sys.argv[1]
TOKEN = "bench-token-0123456789"

class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    held = {}
    def log_message(self, *a): pass
    def do_GET(self):
        body = json.dumps({"fields": Receiver.held}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0)); data = self.rfile.read(n)
        if self.path == "/endless":
            self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
            chunk = b"2000\r\n" + b" " * 0x2000 + b"\r\n"
            try:
                while True: self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
        Receiver.held = {"mchid": "1900006031"}
        body = b'{"ok":true}'
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

srv = Server(("127.0.0.1", 0), Receiver)
threading.Thread(target=srv.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{srv.server_address[1]}"

config = tempfile.mkdtemp()
work = tempfile.mkdtemp()
env = dict(os.environ, WXPAY_SETUP_CONFIG_DIR=config, LANG="en_US.UTF-8")
with open(os.path.join(work, "shop.toml"), "w") as f:
    f.write(f'name = "bench"\nmchid = "1900006031"\nbackend_preset = "generic"\nbackend_token = "{TOKEN}"\n')
subprocess.run([binary, "profile", "import", os.path.join(work, "shop.toml")], env=env, check=True,
               stdout=subprocess.DEVNULL)

def measure(label, path):
    start = time.monotonic()
    p = subprocess.Popen([binary, "push", "--profile", "bench", "--url", url + path, "--yes", "--json"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    took = time.monotonic() - start
    report = json.loads(out or b"{}")
    print(f"{label}: exit {os.waitstatus_to_exitcode(status)}, status {report.get('status')}, "
          f"peak RSS {usage.ru_maxrss / 1024:.1f} MiB, {took * 1000:.0f} ms")
    if report.get("message"):
        print(f"  message: {report['message'][:120]}")

measure("endless chunked 200", "/endless")
measure("well-behaved receiver", "/ok")
PY
