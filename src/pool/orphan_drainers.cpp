#include "pool/orphan_drainers.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <system_error>

#include "ingress/sf_sender_core.hpp"
#include "questdb/error.hpp"

namespace questdb::detail {
namespace {

using Clock = std::chrono::steady_clock;

// How often a worker looks at its drain's progress; drains are background work, so a coarse
// period costs nothing and keeps the worker's wake-ups cheap.
constexpr auto kProgressPoll = std::chrono::milliseconds(20);

bool has_index_suffix(const std::string& name, const std::string& prefix) {
    return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
           std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

OrphanDrainers::OrphanDrainers(const conf::Config& config,
                               std::shared_ptr<ingress::EventHub> events)
    : config_(config), events_(std::move(events)) {}

OrphanDrainers::~OrphanDrainers() {
    stop();
}

bool OrphanDrainers::is_managed(const std::string& name) const {
    const auto& base = config_.store_and_forward().sender_id;
    return has_index_suffix(name, base + "-ingest-") || has_index_suffix(name, base + "-row-");
}

void OrphanDrainers::start_once(const std::string& borrowed_slot) {
    const auto& sf = config_.store_and_forward();
    {
        std::lock_guard lock(mutex_);
        if (started_ || stopping_ || !sf.disk_mode()) {
            return;
        }
        started_ = true;
    }
    const std::string exclude[] = {borrowed_slot};
    auto found = sf::find_orphan_slots(*sf.dir, exclude);
    if (!found.ok()) {
        std::fprintf(stderr, "questdb: orphan scan skipped: %s\n", found.failure().message.c_str());
        return;
    }
    std::lock_guard lock(mutex_);
    for (auto& slot : found.value()) {
        if (sf.drain_orphans || is_managed(slot.sender_id)) {
            pending_.push_back(std::move(slot));
        }
    }
    const auto workers =
        std::min(pending_.size(), std::max<std::size_t>(sf.max_background_drainers, 1));
    for (std::size_t i = 0; i < workers; ++i) {
        workers_.emplace_back([this] { work(); });
    }
}

void OrphanDrainers::reclaim(const std::string& slot_name) {
    std::unique_lock lock(mutex_);
    std::erase_if(pending_, [&](const sf::OrphanSlot& s) { return s.sender_id == slot_name; });
    if (active_.count(slot_name) == 0) {
        return;
    }
    reclaimed_.insert(slot_name);
    changed_.notify_all();
    changed_.wait(lock, [&] { return active_.count(slot_name) == 0; });
    reclaimed_.erase(slot_name);
}

void OrphanDrainers::stop() {
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        pending_.clear();
        workers.swap(workers_);
    }
    changed_.notify_all();
    for (auto& worker : workers) {
        worker.join();
    }
}

OrphanDrainers::Counts OrphanDrainers::counts() const {
    std::lock_guard lock(mutex_);
    auto counts = counts_;
    counts.pending = pending_.size() + active_.size();
    return counts;
}

void OrphanDrainers::work() {
    for (;;) {
        sf::OrphanSlot slot;
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || pending_.empty()) {
                return;
            }
            slot = std::move(pending_.front());
            pending_.pop_front();
            active_.insert(slot.sender_id);
        }
        const auto outcome = drain(slot);
        {
            std::lock_guard lock(mutex_);
            active_.erase(slot.sender_id);
            counts_.drained += outcome == Outcome::drained ? 1 : 0;
            counts_.failed += outcome == Outcome::failed ? 1 : 0;
        }
        changed_.notify_all();
    }
}

bool OrphanDrainers::released(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return stopping_ || reclaimed_.count(name) != 0;
}

void OrphanDrainers::fail(const sf::OrphanSlot& slot, const std::string& reason) {
    if (auto marked = sf::mark_slot_failed(slot.slot_dir, reason); !marked.ok()) {
        std::fprintf(stderr, "questdb: cannot mark slot %s failed: %s\n", slot.sender_id.c_str(),
                     marked.failure().message.c_str());
    }
}

OrphanDrainers::Outcome OrphanDrainers::drain(const sf::OrphanSlot& slot) {
    auto options = ingress::SenderCoreOptions::from_config(config_, slot.sender_id);
    if (!options.ok()) {
        return Outcome::released;  // the pool's own config failed: nothing slot-specific
    }
    options.value().initial_connect = conf::InitialConnectRetry::async;
    options.value().set_aside_unreplayable = false;  // an orphan gets .failed instead
    options.value().delivery.events = events_;
    options.value().store.close_flush_timeout = std::chrono::milliseconds(0);
    const auto budget = options.value().reconnect_max_duration;
    auto opened = ingress::SfSenderCore::open(std::move(options).value());
    if (!opened.ok()) {
        if (opened.failure().code == ErrorCode::store_slot_in_use) {
            return Outcome::released;  // someone adopted it between the scan and now
        }
        fail(slot, "cannot open the slot: " + opened.failure().message);
        return Outcome::failed;
    }
    auto core = std::move(opened).value();
    auto last_acked = core->acked_fsn();
    auto last_progress = Clock::now();
    for (;;) {
        if (released(slot.sender_id)) {
            return Outcome::released;
        }
        if (auto terminal = core->terminal()) {
            core.reset();
            fail(slot, terminal->message);
            return Outcome::failed;
        }
        const auto published = core->published_fsn();
        const auto acked = core->acked_fsn();
        if (!published || (acked && *acked >= *published)) {
            break;
        }
        // The budget counts only time connected without an ack (a server that takes the
        // frames and never answers). An outage is not the slot's fault: the drain retries
        // through it, as a running sender does, instead of marking healthy data `.failed`.
        if (acked != last_acked || !core->delivery().connected()) {
            last_acked = acked;
            last_progress = Clock::now();
        } else if (budget.count() > 0 && Clock::now() - last_progress > budget) {
            core.reset();
            fail(slot, "connected, but no acknowledgement for " + std::to_string(budget.count()) +
                           " ms (reconnect_max_duration_millis)");
            return Outcome::failed;
        }
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, kProgressPoll,
                          [&] { return stopping_ || reclaimed_.count(slot.sender_id) != 0; });
    }
    core.reset();
    // Delivered: clear the slot's footprint, holding its lock so nobody adopts it meanwhile.
    auto locked = sf::SlotLock::acquire_existing(slot.slot_dir);
    if (locked.ok()) {
        std::error_code ec;
        std::filesystem::remove_all(slot.slot_dir, ec);
    }
    return Outcome::drained;
}

}  // namespace questdb::detail
