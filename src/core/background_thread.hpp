#pragma once

namespace questdb::detail {

/// Asks the scheduler to treat the calling thread as background work: on Linux it switches
/// to SCHED_BATCH (same nice level, no privilege needed), elsewhere it does nothing.
///
/// Why: a producer's flush() wakes the parked delivery thread. Under the default policy the
/// woken thread may preempt the producer on its own CPU, so that one flush() absorbs a send
/// (measured: p99 of a 1,000-row flush 96-110 us with the preemption, 33-35 us without,
/// bench/flush_latency_bench). SCHED_BATCH tasks never preempt on wake-up; they still run at
/// once on an idle CPU and get their fair share of a busy one.
///
/// Returns whether the policy was applied. Failure is harmless (an optimisation only).
bool make_current_thread_background() noexcept;

}  // namespace questdb::detail
