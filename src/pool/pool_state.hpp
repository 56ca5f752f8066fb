#pragma once

// The shared state behind every QuestDb handle: the configuration, one lease pool per borrow
// kind, and the housekeeper thread that reaps idle connections under pool_reap=auto.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ingress/direct_sender.hpp"
#include "ingress/event_hub.hpp"
#include "ingress/sf_sender_core.hpp"
#include "questdb/egress/reader.hpp"
#include "pool/lease_pool.hpp"
#include "pool/orphan_drainers.hpp"
#include "questdb/conf.hpp"

namespace questdb::detail {

using SenderPool = pool::LeasePool<ingress::SfSenderCore>;

/// A pooled reader; recycled only while connected and not marked.
struct ReaderSlot {
    egress::Reader reader;
    bool closing = false;
    [[nodiscard]] bool must_close() const noexcept { return closing || !reader.is_connected(); }
};
using ReaderPool = pool::LeasePool<ReaderSlot>;

/// The direct (not store-and-forward) connections behind flush_arrow_batch: opened on first
/// use, capped at sender_pool_max, recycled only after a fully acknowledged batch.
using DirectSenderPool = pool::LeasePool<ingress::DirectSender>;

class PoolState {
public:
    /// `events`: the hub of connect_with_handlers, or null (no handlers).
    explicit PoolState(conf::Config config, std::shared_ptr<ingress::EventHub> events = nullptr);
    ~PoolState();
    PoolState(const PoolState&) = delete;
    PoolState& operator=(const PoolState&) = delete;

    [[nodiscard]] const conf::Config& config() const noexcept { return config_; }
    SenderPool& column_senders() noexcept { return column_senders_; }
    SenderPool& row_senders() noexcept { return row_senders_; }
    ReaderPool& readers() noexcept { return readers_; }
    DirectSenderPool& direct_senders() noexcept { return direct_senders_; }

    std::size_t reap_idle();
    /// The background drains of abandoned store-and-forward slots (disk mode).
    OrphanDrainers& orphan_drainers() noexcept { return orphan_drainers_; }
    /// Unreplayable slots this pool's senders set aside when they opened.
    [[nodiscard]] std::size_t slots_set_aside() const noexcept { return slots_set_aside_.load(); }
    void close();
    /// The handler hub, or null.
    [[nodiscard]] ingress::EventHub* events() const noexcept { return events_.get(); }

private:
    SenderPool::Factory sender_factory(std::string kind);
    void housekeep();

    const conf::Config config_;
    std::shared_ptr<ingress::EventHub> events_;  // before the pools: their senders emit to it
    std::atomic<std::size_t> slots_set_aside_{0};
    OrphanDrainers orphan_drainers_;  // before the pools: their factories use it
    SenderPool column_senders_;
    SenderPool row_senders_;
    ReaderPool readers_;
    DirectSenderPool direct_senders_;
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

/// One borrowed reader: returns it to the reader pool when destroyed; thread-bound.
class ReaderLease {
public:
    ReaderLease(std::shared_ptr<PoolState> state, ReaderPool::Lease lease);
    ~ReaderLease();
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;

    /// The reader, after checking the calling thread. @throws Error invalid_api_call.
    egress::Reader& reader();
    void mark_must_close() noexcept { lease_.core->closing = true; }

private:
    std::shared_ptr<PoolState> state_;
    ReaderPool::Lease lease_;
    std::thread::id owner_;
};

/// Throws invalid_api_call unless the caller is `owner`.
void check_owner_thread(std::thread::id owner, const char* what);

}  // namespace questdb::detail
