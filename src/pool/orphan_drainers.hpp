#pragma once

// Background delivery of store-and-forward slots that no live sender owns
// (store-and-forward/concepts.md, "Orphan adoption").
//
// A process that died, or ran with a larger pool, leaves slots under sf_dir with frames the
// server never acknowledged. On the pool's first sender borrow that reaches its slot (whether
// or not its own connection then succeeds) the drainers scan sf_dir once:
// the pool's own slot names (`<sender_id>-ingest-<i>`, `<sender_id>-row-<i>`, any index) are
// always adopted, so a restart at lower concurrency still delivers everything; other sibling
// slots only with `drain_orphans=on`. Up to `max_background_drainers` slots drain at once, each
// over its own connection with the normal recovery and replay. A drained slot's directory is
// removed; a slot whose drain hits a terminal error, or stays connected without an ack for
// `reconnect_max_duration_millis`, gets a `.failed` marker (with the reason) and keeps its
// data. A drain retries through an outage, however long, as a running sender does.
//
// The pool may need one of its own slots while a drainer holds it: reclaim() stops that drainer
// (its frames stay on disk) so the pool's sender recovers and replays them itself.
//
// Threading: every member function is safe from any thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "questdb/conf.hpp"
#include "sf/slot.hpp"

namespace questdb::ingress {
class EventHub;
}

namespace questdb::detail {

class OrphanDrainers {
  public:
    /// Does nothing until start_once(); a config without sf_dir never starts.
    /// `events`: the pool's handler hub (drainers report their connections to it), or null.
    explicit OrphanDrainers(const conf::Config& config,
                            std::shared_ptr<ingress::EventHub> events = nullptr);
    ~OrphanDrainers();
    OrphanDrainers(const OrphanDrainers&) = delete;
    OrphanDrainers& operator=(const OrphanDrainers&) = delete;

    /// The first call scans sf_dir and starts the workers; later calls return at once.
    /// `borrowed_slot` is the slot of the borrow that triggers the call: the scan leaves it
    /// to that borrow even when the borrow failed and no longer holds the slot's lock.
    void start_once(const std::string& borrowed_slot);
    /// Stops the drain of `slot_name` if one runs (blocking until it let go of the slot) and
    /// drops it from the work list.
    void reclaim(const std::string& slot_name);
    /// Stops every drain; unfinished slots keep their frames for the next process.
    void stop();

    struct Counts {
        std::size_t drained = 0;  ///< slots delivered completely and removed
        std::size_t failed = 0;   ///< slots marked `.failed`
        std::size_t pending = 0;  ///< slots waiting for a worker or draining now
    };
    [[nodiscard]] Counts counts() const;

  private:
    enum class Outcome { drained, failed, released };

    /// Whether `name` belongs to this pool's slot namespace.
    [[nodiscard]] bool is_managed(const std::string& name) const;
    void work();
    Outcome drain(const sf::OrphanSlot& slot);
    [[nodiscard]] bool released(const std::string& name) const;
    void fail(const sf::OrphanSlot& slot, const std::string& reason);

    const conf::Config& config_;
    std::shared_ptr<ingress::EventHub> events_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<sf::OrphanSlot> pending_;
    std::set<std::string> active_;     // slots a worker drains now
    std::set<std::string> reclaimed_;  // active slots asked to stop
    std::vector<std::thread> workers_;
    bool started_ = false;
    bool stopping_ = false;
    Counts counts_;
};

}  // namespace questdb::detail
