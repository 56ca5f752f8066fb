#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the demo.
# Until the transport lands, the demo parses and prints a redacted connect string and
# reports the library version; later issues grow it into ingest + query against the
# in-tree test server (or the real QuestDB named by QDB_ADDR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

conf="ws::addr=${QDB_ADDR:-localhost:9000};username=admin;password=quest;"
for exe in build/examples/example_*; do
    [[ -x "$exe" ]] || continue
    echo "--- $(basename "$exe")"
    "$exe" "$conf"
done
