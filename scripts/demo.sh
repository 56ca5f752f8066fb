#!/usr/bin/env bash
# README command 1: installs what is missing, builds, starts the in-tree test server on a free
# port (unless QDB_ADDR names a real QuestDB, e.g. QDB_ADDR=localhost:9000), runs the
# examples against it, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target qdb-test-server example_quick_start example_trades_demo

server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [[ -n "${QDB_ADDR:-}" ]]; then
    addr=$QDB_ADDR
    echo "using QuestDB at $addr"
else
    out=$(mktemp)
    build/tests/support/qdb-test-server --port 0 >"$out" &
    server_pid=$!
    for _ in $(seq 1 100); do
        grep -q '^http=' "$out" && break
        sleep 0.1
    done
    port=$(sed -n 's/^http=//p' "$out")
    [[ -n "$port" ]] || { echo "test server did not start" >&2; exit 1; }
    addr=127.0.0.1:$port
    echo "started the in-tree test server on $addr"
fi

conf="ws::addr=$addr;"
echo "--- quick start"
build/examples/example_quick_start "$conf"
echo "--- one million trades"
build/examples/example_trades_demo "$conf" 1000000
