#!/usr/bin/env bash
# Peak memory and time when a server answers with an endless body (issue 18):
# prints the figures of examples/endless_reply.rs (the real HTTP client against
# a loopback server that sends a chunked 200 forever).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --example endless_reply -q
./target/debug/examples/endless_reply
