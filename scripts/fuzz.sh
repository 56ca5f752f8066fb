#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into build-fuzz/ and
# runs each one for a while with its generated seed corpus and dictionary.
#
#   scripts/fuzz.sh            every target for 20 s (the CI smoke run)
#   scripts/fuzz.sh 3600       every target for an hour
#   QUESTDB_FUZZ_TARGETS="fuzz_sf_recovery" scripts/fuzz.sh 600    only some targets
#   QUESTDB_FUZZ_JOBS=1 ...    targets run this many at a time (default: number of cores)
#
# Fails on any crash, sanitizer report, leak or timeout; the reproducer is left in
# build-fuzz/fuzz-out/<target>/ (rerun it with build-fuzz/tests/fuzz/<target> <file>).
# Corpora grow in build-fuzz/fuzz-out/<target>/corpus and are reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-20}
build=$root/build-fuzz
out=$build/fuzz-out
jobs=${QUESTDB_FUZZ_JOBS:-$(nproc)}

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
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

# One target: seeds from the library's encoders and shared/testdata, then a timed run.
run_target() {
    local name=$1 bin=$build/tests/fuzz/$1 dir=$out/$1
    local dict=$root/tests/fuzz/${name#fuzz_}.dict
    mkdir -p "$dir/corpus" "$dir/artifacts"
    rm -rf "$dir/seeds"
    QUESTDB_FUZZ_SEED_DIR=$dir/seeds "$bin" >"$dir/seeds.log" 2>&1 || {
        echo "FAIL $name: seed generation failed (see $dir/seeds.log)"
        return 1
    }
    local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
    [[ -f "$dict" ]] && args+=(-dict="$dict")
    local rc=0
    "$bin" "${args[@]}" "$dir/corpus" "$dir/seeds" >"$dir/run.log" 2>&1 || rc=$?
    local execs cov corpus
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
    printf 'ok   %-30s %9s execs  cov %6s  corpus %5s  in %ss\n' "$name" "${execs:-?}" \
        "${cov:-?}" "$corpus" "$seconds"
}

status=0
pids=()
names=()
for target in "${targets[@]}"; do
    run_target "$target" &
    pids+=($!)
    names+=("$target")
    if ((${#pids[@]} >= jobs)); then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || status=1
done
end=$(date +%s)
echo "fuzz: ${#targets[@]} targets, build $((built - start)) s, runs $((end - built)) s" \
    "($([[ $status == 0 ]] && echo ok || echo FAILED))"
exit $status
