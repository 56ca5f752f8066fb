#pragma once

// Counters every bench binary reports the same way (names the markdown table script reads).

#include <benchmark/benchmark.h>

#include <cstdint>

#include "alloc_count.hpp"

namespace qdb_bench {

/// rows/s as a rate (per CPU second, or per wall second under UseRealTime()).
inline void report_rows(benchmark::State& state, double rows_per_iteration) {
    state.counters["rows/s"] =
        benchmark::Counter(rows_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

/// Counts allocations of the calling thread between construction and report(), once warm.
class AllocationMeter {
  public:
    AllocationMeter() : start_(thread_allocations()) {}
    void report(benchmark::State& state, double rows_per_iteration) const {
        const double allocations = static_cast<double>(thread_allocations() - start_);
        const double rows = rows_per_iteration * static_cast<double>(state.iterations());
        state.counters["allocs/row"] = rows > 0 ? allocations / rows : 0.0;
    }

  private:
    std::uint64_t start_;
};

}  // namespace qdb_bench
