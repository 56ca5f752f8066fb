#pragma once

// The shared state behind every QuestDb handle: the configuration, one lease pool per borrow
// kind, and the housekeeper thread that reaps idle connections under pool_reap=auto.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ingress/sf_sender_core.hpp"
#include "pool/lease_pool.hpp"
#include "questdb/conf.hpp"

namespace questdb::detail {

using SenderPool = pool::LeasePool<ingress::SfSenderCore>;

class PoolState {
public:
    explicit PoolState(conf::Config config);
    ~PoolState();
    PoolState(const PoolState&) = delete;
    PoolState& operator=(const PoolState&) = delete;

    [[nodiscard]] const conf::Config& config() const noexcept { return config_; }
    SenderPool& column_senders() noexcept { return column_senders_; }
    SenderPool& row_senders() noexcept { return row_senders_; }

    std::size_t reap_idle();
    void close();

private:
    SenderPool::Factory sender_factory(std::string kind);
    void housekeep();

    const conf::Config config_;
    SenderPool column_senders_;
    SenderPool row_senders_;
    std::mutex housekeeper_mutex_;
    std::condition_variable housekeeper_cv_;
    bool stopping_ = false;
    std::thread housekeeper_;
};

/// One borrowed sender: returns its core to the pool it came from when destroyed, and
/// refuses use from any thread but the one that borrowed it.
class SenderLease {
public:
    SenderLease(std::shared_ptr<PoolState> state, SenderPool& pool, SenderPool::Lease lease);
    ~SenderLease();
    SenderLease(const SenderLease&) = delete;
    SenderLease& operator=(const SenderLease&) = delete;

    /// The core, after checking the calling thread. @throws Error invalid_api_call.
    ingress::SfSenderCore& core();
    /// The core without the thread check (for noexcept observers).
    ingress::SfSenderCore& core_unchecked() noexcept { return *lease_.core; }

private:
    std::shared_ptr<PoolState> state_;  // keeps the pool alive while borrowed
    SenderPool& pool_;
    SenderPool::Lease lease_;
    std::thread::id owner_;
};

}  // namespace questdb::detail
