#pragma once

// Bookkeeping of the frames sent on one connection and not yet answered, and the mapping of
// the server's answers back to frame sequence numbers (FSNs).
//
// The server numbers inbound frames 0, 1, 2 ... per connection (wireSeq) and answers them in
// order; an OK's sequence is cumulative. Frames sent with FLAG_DEFER_COMMIT are not committed
// by their own OK: only a later committing frame (flag clear) makes them durable, and their
// rows roll back on disconnect. So the acknowledged FSN only ever advances to the last
// *committing* frame an OK covers; deferred frames after it stay unacknowledged.
//
// Catch-up frames (symbol dictionary re-registration) occupy wire sequences but carry no FSN.
//
// With durable acks, a frame is durable once every (table, seqTxn) its OK reported is at or
// below that table's durable watermark and every earlier frame is durable.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingress/server_response.hpp"

namespace questdb::ingress {

class InFlightWindow {
public:
    /// Records a frame just sent. `fsn` < 0 for frames without one (catch-up).
    /// Returns its wire sequence.
    std::int64_t on_sent(std::int64_t fsn, bool defers_commit);

    struct OkResult {
        /// The FSN acknowledged at level ok after this answer, if it advanced.
        std::optional<std::int64_t> acked_fsn;
        /// The FSN now durable, if durable tracking is on and it advanced (an OK naming no
        /// table is durable as soon as its predecessors are).
        std::optional<std::int64_t> durable_fsn;
        /// Whether the sequence matched an outstanding frame (false: protocol violation).
        bool valid = true;
    };
    /// Turns durable-ack tracking on for this connection (off by default, so nothing is
    /// kept per OK when the server sends no durable acks).
    void track_durable(bool on) noexcept { track_durable_ = on; }
    /// Applies an OK covering every frame up to `sequence` and records its table txns for
    /// durable tracking.
    OkResult on_ok(std::int64_t sequence, const std::vector<TableTxn>& tables);

    /// Applies a durable-ack watermark update; returns the durable FSN if it advanced.
    std::optional<std::int64_t> on_durable(const std::vector<TableTxn>& tables);

    /// The frame an error response names: its FSN (or -1) if `sequence` is the oldest
    /// outstanding frame, nullopt when it names no outstanding frame.
    [[nodiscard]] std::optional<std::int64_t> rejected_fsn(std::int64_t sequence) const;

    [[nodiscard]] std::size_t outstanding() const noexcept { return sent_.size(); }
    [[nodiscard]] std::int64_t next_wire_seq() const noexcept { return next_seq_; }

    /// Forgets everything: a new connection numbers from 0 again and durable tracking
    /// restarts (qwp-ingress-websocket.md, "Durable acknowledgement").
    void reset();

private:
    struct Sent {
        std::int64_t wire_seq;
        std::int64_t fsn;
        bool defers_commit;
    };
    struct Committed {  // OKed committing frames awaiting durability
        std::int64_t fsn;
        std::vector<TableTxn> tables;
    };

    std::optional<std::int64_t> advance_durable();

    std::deque<Sent> sent_;
    std::deque<Committed> awaiting_durable_;
    std::unordered_map<std::string, std::int64_t> durable_watermarks_;
    std::int64_t next_seq_ = 0;
    std::int64_t pending_commit_fsn_ = -1;  // highest FSN OKed but only deferred so far
    bool track_durable_ = false;
};

}  // namespace questdb::ingress
