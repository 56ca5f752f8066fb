#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy) over the library sources, using the compile
# commands of the default build (scripts/test.sh creates build/; any configured tree works):
#
#   scripts/tidy.sh                 every file under src/
#   scripts/tidy.sh src/sf          one subsystem
#   QUESTDB_TIDY_BUILD=build-x scripts/tidy.sh
#
# Prints the findings and exits non-zero when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${QUESTDB_TIDY_BUILD:-build}
if [[ ! -f $build/compile_commands.json ]]; then
    echo "tidy: $build/compile_commands.json not found (configure $build first)" >&2
    exit 1
fi
mapfile -t files < <(find "${@:-src}" -name '*.cpp' | sort)
run-clang-tidy -quiet -p "$build" -j "$(nproc)" "${files[@]/#/$PWD/}" 2>/dev/null |
    grep -E '^/.*(warning|error):' | sort -u | tee /tmp/questdb-tidy.$$ || true
count=$(wc -l </tmp/questdb-tidy.$$)
rm -f /tmp/questdb-tidy.$$
echo "tidy: ${#files[@]} files, $count finding(s)"
((count == 0))
