#pragma once

// A counting allocator for the bench binaries: bench/alloc_count.cpp replaces the global
// operator new/delete (every form) with malloc/free plus two counters, one per process and
// one per thread. A benchmark reads them around its timed loop (after a warm-up iteration) to
// report heap allocations per row on its hot path.

#include <cstdint>

namespace qdb_bench {

/// Allocations by every thread of the process since start.
std::uint64_t process_allocations() noexcept;
/// Allocations by the calling thread since it started.
std::uint64_t thread_allocations() noexcept;

}  // namespace qdb_bench
