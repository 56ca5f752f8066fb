#!/usr/bin/env bash
# Builds the benchmarks in Release (build-bench/) and runs every bench binary with
# repetitions, writing Google Benchmark JSON per binary plus a markdown table of medians,
# spreads, ratios to the same-run baselines and the issue-10 targets.
#
#   scripts/bench.sh                      everything, 5 repetitions
#   REPS=3 scripts/bench.sh               fewer repetitions
#   BENCHES="encode_bench e2e_bench" ...  a subset
#   FILTER='S1' scripts/bench.sh          --benchmark_filter for every binary
#   OUT=out/bench-foo scripts/bench.sh    another output directory
#
# Output: $OUT/<bench>.json, $OUT/machine.txt (CPU, kernel, compiler, load before and after),
# $OUT/results.md (the table docs/PERFORMANCE.md quotes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD_DIR:-$root/build-bench}
out=${OUT:-$root/out/bench}
reps=${REPS:-5}
jobs=${JOBS:-2}
benches=${BENCHES:-"encode_bench egress_bench ilp_bench e2e_bench flush_latency_bench sf_bench"}

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
# Release without -Werror: GCC 12 at -O3 reports a false -Wrestrict inside libstdc++ for
# std::string code in src/conf (the -O2 CI builds keep warnings as errors).
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DQUESTDB_BUILD_BENCH=ON -DQUESTDB_BUILD_TESTS=OFF -DQUESTDB_BUILD_EXAMPLES=OFF \
    -DQUESTDB_WARNINGS_AS_ERRORS=OFF >/dev/null
# shellcheck disable=SC2086
nice -n 5 cmake --build "$build" --target $benches -j"$jobs"

mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "cores: $(nproc)"
    echo "kernel: $(uname -sr)"
    echo "compiler: $(c++ --version | head -1)"
    echo "flags: CMAKE_BUILD_TYPE=Release ($(grep -m1 'CMAKE_CXX_FLAGS_RELEASE:' "$build/CMakeCache.txt" | cut -d= -f2-))"
    echo "load before: $(uptime)"
} >"$out/machine.txt"

for bench in $benches; do
    echo "== $bench"
    args=(--benchmark_repetitions="$reps" --benchmark_out="$out/$bench.json"
        --benchmark_out_format=json --benchmark_counters_tabular=true)
    if [[ -n ${FILTER:-} ]]; then
        args+=(--benchmark_filter="$FILTER")
    fi
    "$build/bench/$bench" "${args[@]}" --benchmark_display_aggregates_only=true
done
echo "load after: $(uptime)" >>"$out/machine.txt"

python3 "$root/bench/bench_table.py" "$out/machine.txt" "$out"/*.json >"$out/results.md"
echo "wrote $out/results.md"
