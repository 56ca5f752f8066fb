#include "pool/pool_state.hpp"

#include <sstream>

#include "sf/slot.hpp"

namespace questdb::detail {
namespace {

// Sender and reader pools share the timeouts and differ only in their sizes.
pool::PoolLimits limits_of(const conf::Config& config, std::size_t min_idle, std::size_t max) {
    const auto& p = config.pool();
    pool::PoolLimits limits;
    limits.min_idle = min_idle;
    limits.max = max;
    limits.acquire_timeout = p.acquire_timeout;
    limits.idle_timeout = p.idle_timeout.count() == 0 ? std::chrono::milliseconds::max()
                                                      : p.idle_timeout;
    return limits;
}

pool::PoolLimits sender_limits(const conf::Config& config) {
    return limits_of(config, config.pool().sender_min, config.pool().sender_max);
}

// The direct pool has no warm minimum: it exists only for flush_arrow_batch calls.
pool::PoolLimits direct_limits(const conf::Config& config) {
    return limits_of(config, 0, config.pool().sender_max);
}

pool::PoolLimits reader_limits(const conf::Config& config) {
    return limits_of(config, config.pool().query_min, config.pool().query_max);
}

// Failures of the local store rather than of the connection.
bool is_store_failure(ErrorCode code) {
    return code == ErrorCode::store_error || code == ErrorCode::store_slot_in_use ||
           code == ErrorCode::store_resend_required;
}

}  // namespace

PoolState::PoolState(conf::Config config, std::shared_ptr<ingress::EventHub> events)
    : config_(std::move(config)),
      events_(std::move(events)),
      orphan_drainers_(config_, events_),
      column_senders_("column sender", sender_limits(config_), sender_factory("ingest")),
      row_senders_("row sender", sender_limits(config_), sender_factory("row")),
      readers_("reader", reader_limits(config_), [this](std::size_t) -> Result<std::unique_ptr<ReaderSlot>> {
          try {
              return std::make_unique<ReaderSlot>(ReaderSlot{egress::Reader::connect(config_)});
          } catch (const Error& e) {
              return Failure{e.error_code(), e.message(), e.in_doubt()};
          }
      }),
      direct_senders_("direct sender", direct_limits(config_),
                      [this](std::size_t) -> Result<std::unique_ptr<ingress::DirectSender>> {
                          auto options = ingress::DirectSenderOptions::from_config(config_);
                          if (!options.ok()) {
                              return std::move(options).failure();
                          }
                          options.value().events = events_;
                          return ingress::DirectSender::open(std::move(options).value());
                      }) {
    if (config_.pool().reap == conf::PoolReap::automatic) {
        housekeeper_ = std::thread([this] { housekeep(); });
    }
}

PoolState::~PoolState() { close(); }

SenderPool::Factory PoolState::sender_factory(std::string kind) {
    return [this, kind = std::move(kind)](std::size_t slot)
               -> Result<std::unique_ptr<ingress::SfSenderCore>> {
        // Disk slots are named like the reference C/C++/Rust pool's: <sender_id>-ingest-<i>,
        // so a slot left by one official client can be drained by another.
        const auto& base = config_.store_and_forward().sender_id;
        const auto slot_name = kind == "ingest" ? sf::pool_slot_name(base, slot)
                                                : base + "-" + kind + "-" + std::to_string(slot);
        auto options = ingress::SenderCoreOptions::from_config(config_, slot_name);
        if (!options.ok()) {
            return std::move(options).failure();
        }
        options.value().delivery.events = events_;
        // A drainer may be replaying this slot from an earlier run; the sender takes over.
        orphan_drainers_.reclaim(slot_name);
        auto core = ingress::SfSenderCore::open(std::move(options).value());
        if (core.ok() && core.value()->set_aside_dir()) {
            slots_set_aside_.fetch_add(1);
        }
        if (core.ok() || !is_store_failure(core.failure().code)) {
            // A borrow that failed on the server's side (a terminal rejection that arrived
            // before the initial connect returned, an unreachable server) still starts the
            // drains: the orphans' delivery must not hinge on this sender's first answer.
            // A store failure does not: another process owning the slots, or an unusable
            // sf_dir, would fail every drain too and mark healthy slots `.failed`.
            orphan_drainers_.start_once(slot_name);
        }
        return core;
    };
}

std::size_t PoolState::reap_idle() {
    return column_senders_.reap() + row_senders_.reap() + readers_.reap() +
           direct_senders_.reap();
}

void PoolState::close() {
    {
        std::lock_guard lock(housekeeper_mutex_);
        stopping_ = true;
    }
    housekeeper_cv_.notify_all();
    if (housekeeper_.joinable() && housekeeper_.get_id() != std::this_thread::get_id()) {
        housekeeper_.join();
    }
    orphan_drainers_.stop();
    column_senders_.close();
    row_senders_.close();
    readers_.close();
    direct_senders_.close();
    if (events_) {
        // After the pools: events of the senders closed above are delivered first. Borrows
        // still out keep emitting into a closed hub (counted as dropped).
        events_->close();
    }
}

void PoolState::housekeep() {
    const auto interval = std::max(config_.pool().housekeeper_interval, std::chrono::milliseconds(10));
    std::unique_lock lock(housekeeper_mutex_);
    while (!housekeeper_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
        lock.unlock();
        reap_idle();
        lock.lock();
    }
}

SenderLease::SenderLease(std::shared_ptr<PoolState> state, SenderPool& pool, SenderPool::Lease lease)
    : state_(std::move(state)), pool_(pool), lease_(std::move(lease)),
      owner_(std::this_thread::get_id()) {}

SenderLease::~SenderLease() { pool_.release(std::move(lease_)); }

void check_owner_thread(std::thread::id owner, const char* what) {
    if (std::this_thread::get_id() != owner) {
        std::ostringstream id;
        id << owner;
        throw Error(ErrorCode::invalid_api_call,
                    std::string("a borrowed ") + what +
                        " is bound to the thread that borrowed it (thread " + id.str() +
                        "); borrow one per thread");
    }
}

ingress::SfSenderCore& SenderLease::core() {
    check_owner_thread(owner_, "sender");
    return *lease_.core;
}

ReaderLease::ReaderLease(std::shared_ptr<PoolState> state, ReaderPool::Lease lease)
    : state_(std::move(state)), lease_(std::move(lease)), owner_(std::this_thread::get_id()) {}

ReaderLease::~ReaderLease() { state_->readers().release(std::move(lease_)); }

egress::Reader& ReaderLease::reader() {
    check_owner_thread(owner_, "reader");
    return lease_.core->reader;
}

}  // namespace questdb::detail
