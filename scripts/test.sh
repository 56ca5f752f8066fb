#!/usr/bin/env bash
# README command 2: installs what is missing, builds and runs every test suite.
#
#   scripts/test.sh            everything CI runs
#   QUESTDB_TEST_QUICK=1 ...   only the default build's suites (no sanitizer variants, no fuzz)
#
# Build trees are reused: build/ (RelWithDebInfo, warnings as errors), build-asan/
# (address,undefined), build-tsan/ (thread, concurrency suites only).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/deps.sh

jobs=$(nproc)
# Sanitizer builds: -O1 keeps them fast to run, -g1 (line tables) keeps reports readable and
# compiles and links much faster than full debug info on a 2-core machine.
sanitizer_flags="-O1 -g1"
# Let ccache share results between clones of the repository (paths are made relative).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CTEST_OUTPUT_ON_FAILURE=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

configure() {  # configure <dir> [cmake args...]
    local dir=$1
    shift
    cmake -S "$root" -B "$dir" -G Ninja -DQUESTDB_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
}

step() { printf '\n=== %s ===\n' "$*"; }

# Runs ctest, keeping its summary line so the script can close with one total.
summaries=$(mktemp)
status=0  # a failed step is remembered, not fatal, so one run reports every variant
run_ctest() {
    local out
    out=$(mktemp)
    set +e
    ctest "$@" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    set -e
    grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$out" >>"$summaries" || true
    rm -f "$out"
    if ((rc != 0)); then
        status=1
    fi
}

finish() {
    local passed=0 failed=0 p f t
    while read -r _ _ _ f _ _ _ _ t; do
        passed=$((passed + t - f))
        failed=$((failed + f))
    done <"$summaries"
    echo
    echo "$passed passed, $failed failed"
    return "$status"
}

step "default build"
# -O2 as developers build, without debug info (faster to compile and link).
configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG" \
    -DQUESTDB_INSTALL_TEST_SERVER=ON
cmake --build build -j "$jobs"
step "tests (default build)"
run_ctest --test-dir build -j "$jobs" --timeout 600 --no-tests=error

if [[ "${QUESTDB_TEST_QUICK:-0}" == 1 ]]; then
    finish
    exit
fi

step "AddressSanitizer + UndefinedBehaviorSanitizer"
configure build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$sanitizer_flags" \
    -DQUESTDB_SANITIZE=address,undefined \
    -DQUESTDB_BUILD_BENCH=OFF -DQUESTDB_BUILD_EXAMPLES=OFF
cmake --build build-asan -j "$jobs"
run_ctest --test-dir build-asan -j "$jobs" --timeout 900 -LE 'package|slow' --no-tests=error

step "ThreadSanitizer (concurrency suites)"
configure build-tsan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$sanitizer_flags" \
    -DQUESTDB_SANITIZE=thread \
    -DQUESTDB_BUILD_BENCH=OFF -DQUESTDB_BUILD_EXAMPLES=OFF
# One ctest test per test executable, so the labelled test names are the targets to build.
mapfile -t tsan_targets < <(ctest --test-dir build-tsan -N -L concurrency | sed -n 's/^ *Test *#[0-9]*: //p')
if ((${#tsan_targets[@]} > 0)); then
    cmake --build build-tsan -j "$jobs" --target "${tsan_targets[@]}"
    run_ctest --test-dir build-tsan -j "$jobs" --timeout 900 -L concurrency --no-tests=error
fi

if [[ -x scripts/fuzz.sh ]]; then
    step "fuzz smoke"
    scripts/fuzz.sh --smoke || status=1  # deterministic: fixed seed and run counts
fi

finish
