#pragma once

// The thread-safe fault switches behind Server::faults(): tests set them from their thread,
// sessions consume them on the I/O thread(s).

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "questdb/test_server/server.hpp"

namespace questdb::test_server::detail {

struct UpgradeRefusal {
    unsigned status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
};

struct IlpHttpFailure {
    unsigned status = 0;
    std::string body;
};

class FaultState final : public Faults {
  public:
    // ---- Faults (test side) ----
    void refuse_upgrades(unsigned status, std::map<std::string, std::string> headers,
                         std::string body, unsigned times) override {
        std::lock_guard lock(mutex_);
        refusal_ = UpgradeRefusal{status, std::move(headers), std::move(body)};
        refusal_times_ = times;
    }
    void set_advertised_max_batch_size(std::optional<std::size_t> bytes) override {
        std::lock_guard lock(mutex_);
        max_batch_ = bytes;
    }
    void force_qwp_version(std::optional<unsigned> version) override {
        std::lock_guard lock(mutex_);
        forced_version_ = version;
    }
    void drop_after_frames(std::uint64_t frames, unsigned times) override {
        std::lock_guard lock(mutex_);
        drop_after_ = frames;
        drop_after_times_ = times;
    }
    void drop_mid_frame(std::uint64_t frames, unsigned times) override {
        std::lock_guard lock(mutex_);
        drop_mid_ = frames;
        drop_mid_times_ = times;
    }
    void stall_acks(bool stalled) override { stall_acks_ = stalled; }
    void delay_acks(std::chrono::milliseconds delay) override { ack_delay_ms_ = delay.count(); }
    void answer_frame(std::uint64_t wire_seq, Status status, std::string message,
                      unsigned times) override {
        std::lock_guard lock(mutex_);
        answers_[wire_seq] = {status, std::move(message), times};
    }
    void dictionary_gap_at(std::uint64_t wire_seq) override {
        std::lock_guard lock(mutex_);
        answers_[wire_seq] = {Status::dictionary_gap, "injected dictionary gap", 1};
    }
    void stall_durable_acks(bool stalled) override { stall_durable_ = stalled; }
    void slow_reads(std::chrono::milliseconds per_frame) override {
        slow_read_ms_ = per_frame.count();
    }
    void fail_ilp_http(unsigned status, std::string body, unsigned times) override {
        std::lock_guard lock(mutex_);
        ilp_failure_ = IlpHttpFailure{status, std::move(body)};
        ilp_failure_times_ = times;
    }
    void delay_ilp_http(std::chrono::milliseconds delay) override { ilp_delay_ms_ = delay.count(); }
    void stall_egress_results(std::optional<std::uint64_t> after_batches) override {
        egress_stall_after_ = after_batches ? static_cast<std::int64_t>(*after_batches) : -1;
    }
    void clear() override {
        egress_stall_after_ = -1;
        std::lock_guard lock(mutex_);
        refusal_times_ = 0;
        max_batch_.reset();
        forced_version_.reset();
        drop_after_times_ = 0;
        drop_mid_times_ = 0;
        answers_.clear();
        ilp_failure_times_ = 0;
        stall_acks_ = false;
        stall_durable_ = false;
        ack_delay_ms_ = 0;
        slow_read_ms_ = 0;
        ilp_delay_ms_ = 0;
    }

    // ---- session side ----
    std::optional<UpgradeRefusal> take_refusal() {
        std::lock_guard lock(mutex_);
        if (refusal_times_ == 0)
            return std::nullopt;
        --refusal_times_;
        return refusal_;
    }
    std::optional<std::size_t> advertised_max_batch() const {
        std::lock_guard lock(mutex_);
        return max_batch_;
    }
    std::optional<unsigned> forced_version() const {
        std::lock_guard lock(mutex_);
        return forced_version_;
    }
    /// True (once per configured time) when a connection that answered `answered` frames
    /// must now drop.
    bool take_drop_after(std::uint64_t answered) {
        std::lock_guard lock(mutex_);
        if (drop_after_times_ == 0 || answered != drop_after_)
            return false;
        --drop_after_times_;
        return true;
    }
    bool take_drop_mid(std::uint64_t next_seq) {
        std::lock_guard lock(mutex_);
        if (drop_mid_times_ == 0 || next_seq != drop_mid_)
            return false;
        --drop_mid_times_;
        return true;
    }
    std::optional<std::pair<Status, std::string>> take_answer(std::uint64_t seq) {
        std::lock_guard lock(mutex_);
        auto it = answers_.find(seq);
        if (it == answers_.end())
            return std::nullopt;
        std::pair<Status, std::string> answer{it->second.status, it->second.message};
        if (--it->second.times == 0)
            answers_.erase(it);
        return answer;
    }
    std::optional<IlpHttpFailure> take_ilp_failure() {
        std::lock_guard lock(mutex_);
        if (ilp_failure_times_ == 0)
            return std::nullopt;
        --ilp_failure_times_;
        return ilp_failure_;
    }
    bool acks_stalled() const { return stall_acks_; }
    bool durable_stalled() const { return stall_durable_; }
    std::chrono::milliseconds ack_delay() const { return std::chrono::milliseconds(ack_delay_ms_); }
    std::chrono::milliseconds slow_read() const { return std::chrono::milliseconds(slow_read_ms_); }
    std::chrono::milliseconds ilp_delay() const { return std::chrono::milliseconds(ilp_delay_ms_); }
    /// Whether a query that already sent `batches_sent` RESULT_BATCH frames must hold the rest.
    bool egress_held(std::uint64_t batches_sent) const {
        const std::int64_t after = egress_stall_after_;
        return after >= 0 && batches_sent >= static_cast<std::uint64_t>(after);
    }

  private:
    mutable std::mutex mutex_;
    UpgradeRefusal refusal_;
    unsigned refusal_times_ = 0;
    std::optional<std::size_t> max_batch_;
    std::optional<unsigned> forced_version_;
    std::uint64_t drop_after_ = 0;
    unsigned drop_after_times_ = 0;
    std::uint64_t drop_mid_ = 0;
    unsigned drop_mid_times_ = 0;
    struct ScriptedAnswer {
        Status status;
        std::string message;
        unsigned times;
    };
    std::map<std::uint64_t, ScriptedAnswer> answers_;
    IlpHttpFailure ilp_failure_;
    unsigned ilp_failure_times_ = 0;
    std::atomic<bool> stall_acks_{false};
    std::atomic<bool> stall_durable_{false};
    std::atomic<std::int64_t> ack_delay_ms_{0};
    std::atomic<std::int64_t> slow_read_ms_{0};
    std::atomic<std::int64_t> ilp_delay_ms_{0};
    std::atomic<std::int64_t> egress_stall_after_{-1};
};

}  // namespace questdb::test_server::detail
