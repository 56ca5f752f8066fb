#!/usr/bin/env bash
# README command 1: installs what is missing, builds, starts the in-tree test server on a free
# port (unless QDB_ADDR names a real QuestDB, e.g. QDB_ADDR=localhost:9000), runs the quick
# start, then ingests a stream of trades (DEMO_ROWS, default one million) with a progress
# line, queries it back through the reader, prints a summary, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${DEMO_ROWS:-1000000}

scripts/deps.sh
echo "building (first run: a few minutes)..."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target qdb-test-server example_quick_start example_trades_demo \
    >/dev/null

server_pid=""
out=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        echo "stopped the test server"
    fi
    [[ -n "$out" ]] && rm -f "$out"
}
trap cleanup EXIT

if [[ -n "${QDB_ADDR:-}" ]]; then
    addr=$QDB_ADDR
    echo "using QuestDB at $addr"
else
    out=$(mktemp)
    build/tests/support/qdb-test-server --port 0 >"$out" &
    server_pid=$!
    for _ in $(seq 1 200); do
        grep -q '^ready' "$out" && break
        sleep 0.05
    done
    port=$(sed -n 's/^http=//p' "$out")
    [[ -n "$port" ]] || { echo "test server did not start" >&2; exit 1; }
    addr=127.0.0.1:$port
    echo "started the in-tree test server on $addr (pid $server_pid)"
fi

conf="ws::addr=$addr;"
echo
echo "=== quick start: $conf"
build/examples/example_quick_start "$conf"
echo
echo "=== trades stream"
build/examples/example_trades_demo "$conf" "$rows"
echo
echo "more examples: examples/*.cpp, docs/GUIDE.md"
