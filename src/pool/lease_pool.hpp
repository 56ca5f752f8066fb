#pragma once

// A bounded pool of reusable connection cores ("leases"), one per borrow kind.
//
// Cores are expensive (a socket, a delivery thread, maybe a disk slot), so returned cores are
// kept idle and handed out again, most recently used first (hot connections stay warm). The
// pool never holds more than `max` cores out and idle together; at the cap a borrow waits up
// to `acquire_timeout` for a return and then fails with pool_exhausted. Cores that report
// must_close() are destroyed on return, never recycled. Idle cores above the warm minimum are
// destroyed by reap() once idle longer than `idle_timeout`.
//
// Core requirements: `bool must_close() const` and destruction that releases its resources.
// Cores are created and destroyed outside the pool lock, so a slow connect or close never
// blocks other borrowers.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace questdb::pool {

struct PoolLimits {
    std::size_t min_idle = 0;  ///< warm minimum kept by reap()
    std::size_t max = 64;      ///< hard cap on cores out + idle
    std::chrono::milliseconds acquire_timeout{0};
    std::chrono::milliseconds idle_timeout{60'000};
};

struct PoolCounts {
    std::size_t idle = 0;
    std::size_t in_use = 0;
};

template <typename Core>
class LeasePool {
public:
    using Clock = std::chrono::steady_clock;
    /// Creates a core for slot `slot_index` (0..max-1, unique among live cores).
    using Factory = std::function<detail::Result<std::unique_ptr<Core>>(std::size_t slot_index)>;

    LeasePool(std::string kind, PoolLimits limits, Factory factory)
        : kind_(std::move(kind)), limits_(limits), factory_(std::move(factory)),
          slot_used_(limits.max, false) {}

    LeasePool(const LeasePool&) = delete;
    LeasePool& operator=(const LeasePool&) = delete;
    ~LeasePool() { close(); }

    /// A core and the slot it occupies; give both back through release().
    struct Lease {
        std::unique_ptr<Core> core;
        std::size_t slot = 0;
    };

    /// Hands out an idle core, or creates one when below the cap. Blocks up to
    /// acquire_timeout at the cap. Thread-safe.
    detail::Result<Lease> acquire() {
        std::unique_lock lock(mutex_);
        const auto deadline = Clock::now() + limits_.acquire_timeout;
        while (!closed_ && idle_.empty() && in_use_ >= limits_.max) {
            if (limits_.acquire_timeout.count() <= 0 ||
                returned_.wait_until(lock, deadline) == std::cv_status::timeout) {
                if (idle_.empty() && in_use_ >= limits_.max && !closed_) {
                    return detail::fail(ErrorCode::pool_exhausted,
                                        kind_ + " pool exhausted: " + std::to_string(limits_.max) +
                                            " borrows already out (pool_max)");
                }
            }
        }
        if (closed_) {
            return detail::fail(ErrorCode::invalid_api_call, kind_ + " pool is closed");
        }
        ++in_use_;
        if (!idle_.empty()) {
            Idle entry = std::move(idle_.back());
            idle_.pop_back();
            return Lease{std::move(entry.core), entry.slot};
        }
        const std::size_t slot = claim_slot();
        lock.unlock();
        auto created = factory_(slot);
        if (!created.ok()) {
            lock.lock();
            --in_use_;
            slot_used_[slot] = false;
            returned_.notify_one();
            return std::move(created).failure();
        }
        return Lease{std::move(created).value(), slot};
    }

    /// Takes a core back: recycled when healthy, destroyed when it must close or the pool is
    /// closed. Never throws; safe from any thread.
    void release(Lease lease) noexcept {
        std::unique_ptr<Core> doomed;
        {
            std::lock_guard lock(mutex_);
            --in_use_;
            if (closed_ || !lease.core || lease.core->must_close()) {
                doomed = std::move(lease.core);
                slot_used_[lease.slot] = false;
            } else {
                idle_.push_back(Idle{std::move(lease.core), lease.slot, Clock::now()});
            }
        }
        returned_.notify_one();
        doomed.reset();  // outside the lock: closing may wait for a drain
    }

    /// Destroys idle cores beyond min_idle that have been idle longer than idle_timeout.
    /// Returns how many were closed.
    std::size_t reap(Clock::time_point now = Clock::now()) {
        std::vector<std::unique_ptr<Core>> doomed;
        {
            std::lock_guard lock(mutex_);
            // Oldest entries sit at the front; keep the newest min_idle.
            while (idle_.size() > limits_.min_idle &&
                   now - idle_.front().since >= limits_.idle_timeout) {
                slot_used_[idle_.front().slot] = false;
                doomed.push_back(std::move(idle_.front().core));
                idle_.pop_front();
            }
        }
        return doomed.size();
    }

    /// Refuses further borrows and destroys idle cores; borrowed cores are destroyed as they
    /// come back. Idempotent.
    void close() {
        std::deque<Idle> doomed;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            doomed.swap(idle_);
            for (auto& entry : doomed) {
                slot_used_[entry.slot] = false;
            }
        }
        returned_.notify_all();
    }

    [[nodiscard]] PoolCounts counts() const {
        std::lock_guard lock(mutex_);
        return {idle_.size(), in_use_};
    }
    [[nodiscard]] bool closed() const {
        std::lock_guard lock(mutex_);
        return closed_;
    }
    [[nodiscard]] const PoolLimits& limits() const noexcept { return limits_; }

private:
    struct Idle {
        std::unique_ptr<Core> core;
        std::size_t slot;
        Clock::time_point since;
    };

    std::size_t claim_slot() {
        for (std::size_t i = 0; i < slot_used_.size(); ++i) {
            if (!slot_used_[i]) {
                slot_used_[i] = true;
                return i;
            }
        }
        return 0;  // unreachable: in_use_ <= max guarantees a free slot
    }

    const std::string kind_;
    const PoolLimits limits_;
    const Factory factory_;
    mutable std::mutex mutex_;
    std::condition_variable returned_;
    std::deque<Idle> idle_;
    std::vector<bool> slot_used_;
    std::size_t in_use_ = 0;
    bool closed_ = false;
};

}  // namespace questdb::pool
