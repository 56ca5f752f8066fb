#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into build-fuzz/ and
# runs each one with its generated seed corpus and dictionary. Two modes:
#
#   scripts/fuzz.sh --smoke    the CI smoke run (scripts/test.sh): deterministic. Every target
#                              starts from its seeds only (a fresh corpus in
#                              build-fuzz/fuzz-smoke/, nothing carried over from earlier runs),
#                              with a fixed -seed and a fixed number of executions per target
#                              (smoke_runs below, about 15 s each on the 2 loaded cores), and
#                              without the sources of run-to-run drift (see run_target), so a
#                              given commit explores the same inputs every time: a new finding
#                              means the code changed, not the dice.
#                              -max_total_time is only a safety cap (a capped run says so).
#   scripts/fuzz.sh [seconds]  the long, random mode for humans: every target for <seconds>
#                              (default 20) with a random seed; corpora grow in
#                              build-fuzz/fuzz-out/<target>/corpus and the next run continues
#                              from them. Use it to hunt for new bugs, e.g. 3600.
#
#   QUESTDB_FUZZ_TARGETS="fuzz_sf_recovery" scripts/fuzz.sh 600    only some targets
#   QUESTDB_FUZZ_JOBS=1 ...    targets run this many at a time (default: number of cores)
#   QUESTDB_FUZZ_SMOKE_SEED=7 scripts/fuzz.sh --smoke   another fixed seed (default 1)
#
# Fails on any crash, sanitizer report, leak or timeout; the reproducer is left in
# <dir>/<target>/artifacts/ (rerun it with build-fuzz/tests/fuzz/<target> <file>).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/build-fuzz
jobs=${QUESTDB_FUZZ_JOBS:-$(nproc)}

smoke=0
if [[ "${1:-}" == --smoke ]]; then
    smoke=1
    out=$build/fuzz-smoke
    smoke_seed=${QUESTDB_FUZZ_SMOKE_SEED:-1}
    smoke_cap=25  # 4 rounds of 2 targets stay under 100 s even when every one is capped
else
    seconds=${1:-20}
    out=$build/fuzz-out
fi

# Executions per target in the smoke run. The targets differ by three orders of magnitude in
# speed (sf recovery writes and opens files, the response parser only reads bytes). Each count
# takes about 15 s of wall time with 2 targets at a time on the shared 2-core machine under a
# working day's load (measured at load 10-18, niced), 3-5 s when the machine is quiet: small
# enough that the cap below is rarely what ends a run, so the smoke stays the same run.
declare -A smoke_runs=(
    [fuzz_connect_string]=50000
    [fuzz_egress_result_batch]=40000
    [fuzz_ilp_http_response]=130000
    [fuzz_ingress_server_response]=350000
    [fuzz_qwp_ingress_decoder]=100000
    [fuzz_sf_recovery]=2500
    [fuzz_test_server_ilp]=70000
    [fuzz_ws_upgrade_response]=90000
)

# Extra smoke flags per target. fuzz_sf_recovery's seeds and the segment headers it writes
# hold wall-clock timestamps; traced comparisons (-use_cmp) would feed them into mutations
# and make two runs differ.
declare -A smoke_flags=(
    [fuzz_sf_recovery]=-use_cmp=0
)

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
# fuzz_sf_recovery writes a slot directory per input under the temporary directory; on tmpfs
# it runs at its CPU speed instead of waiting on the disk (about 10x on the CI machine).
if [[ -z "${TMPDIR:-}" && -d /dev/shm && -w /dev/shm ]]; then
    TMPDIR=$(mktemp -d /dev/shm/questdb-fuzz.XXXXXX)
    export TMPDIR
    trap 'rm -rf "$TMPDIR"' EXIT
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if ! command -v clang++ >/dev/null; then
    echo "fuzz: clang++ not found (apt-get install clang libclang-rt-dev)" >&2
    exit 1
fi

start=$(date +%s)
# Only the fuzz targets and the library sources they reach (tests/fuzz/CMakeLists.txt): no
# GoogleTest suites, benchmarks or examples. -O1 -g1 as the other sanitizer builds.
CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DQUESTDB_SANITIZE=address,undefined \
    -DQUESTDB_BUILD_FUZZ=ON -DQUESTDB_BUILD_TESTS=OFF -DQUESTDB_BUILD_BENCH=OFF \
    -DQUESTDB_BUILD_EXAMPLES=OFF -DQUESTDB_INSTALL=OFF -DQUESTDB_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build" --target fuzz_all -j "$(nproc)"
built=$(date +%s)

if [[ -n "${QUESTDB_FUZZ_TARGETS:-}" ]]; then
    read -r -a targets <<<"$QUESTDB_FUZZ_TARGETS"
else
    mapfile -t targets < <(cd "$build/tests/fuzz" && ls fuzz_* | sort)
fi
if ((smoke)); then
    for target in "${targets[@]}"; do
        if [[ -z "${smoke_runs[$target]:-}" ]]; then
            echo "fuzz: $target has no execution count in smoke_runs (scripts/fuzz.sh)" >&2
            exit 1
        fi
    done
fi

# One target: seeds from the library's encoders and shared/testdata, then a run.
run_target() {
    local name=$1 bin=$build/tests/fuzz/$1 dir=$out/$1
    local dict=$root/tests/fuzz/${name#fuzz_}.dict
    ((smoke)) && rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    rm -rf "$dir/seeds"
    QUESTDB_FUZZ_SEED_DIR=$dir/seeds "$bin" >"$dir/seeds.log" 2>&1 || {
        echo "FAIL $name: seed generation failed (see $dir/seeds.log)"
        return 1
    }
    local args=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
        -artifact_prefix="$dir/artifacts/")
    local run=()
    if ((smoke)); then
        # What else makes two runs with the same -seed differ, found by diffing their logs:
        # address randomisation (comparison operands traced for mutations include stack and
        # heap addresses), the corpus directory re-read every second, and libFuzzer's
        # per-input leak check, whose extra executions depend on other threads' mallocs.
        # LeakSanitizer still checks the whole process at exit (ASAN_OPTIONS detect_leaks=1).
        args+=(-seed="$smoke_seed" -runs="${smoke_runs[$name]}" -max_total_time="$smoke_cap"
            -reload=0 -detect_leaks=0)
        [[ -n "${smoke_flags[$name]:-}" ]] && args+=(${smoke_flags[$name]})
        setarch -R true 2>/dev/null && run=(setarch -R)
    else
        args+=(-max_total_time="$seconds")
    fi
    [[ -f "$dict" ]] && args+=(-dict="$dict")
    local rc=0 t0 t1
    t0=$(date +%s)
    "${run[@]}" "$bin" "${args[@]}" "$dir/corpus" "$dir/seeds" >"$dir/run.log" 2>&1 || rc=$?
    t1=$(date +%s)
    local execs cov corpus note=""
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/run.log" | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]*' "$dir/run.log" | tail -1 | cut -d' ' -f2 || true)
    corpus=$(find "$dir/corpus" -type f | wc -l || true)
    if ((rc != 0)); then
        echo "FAIL $name: exit $rc after ${execs:-?} execs;" \
            "reproducer: $(ls -d "$dir"/artifacts/* 2>/dev/null | head -1 || true)" \
            "(log: $dir/run.log)"
        grep -m3 -E 'ERROR|SUMMARY|runtime error|Assertion' "$dir/run.log" | sed 's/^/     /' || true
        return 1
    fi
    if ((smoke)) && ((${execs:-0} < ${smoke_runs[$name]})); then
        note="  (stopped by the ${smoke_cap} s cap before ${smoke_runs[$name]} runs)"
    fi
    printf 'ok   %-30s %9s execs  cov %6s  corpus %5s  in %ss%s\n' "$name" "${execs:-?}" \
        "${cov:-?}" "$corpus" "$((t1 - t0))" "$note"
}

status=0
pids=()
for target in "${targets[@]}"; do
    run_target "$target" &
    pids+=($!)
    if ((${#pids[@]} >= jobs)); then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || status=1
done
end=$(date +%s)
echo "fuzz$( ((smoke)) && echo " smoke (seed $smoke_seed)"): ${#targets[@]} targets," \
    "build $((built - start)) s, runs $((end - built)) s ($([[ $status == 0 ]] && echo ok || echo FAILED))"
exit $status
