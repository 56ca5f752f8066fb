#pragma once

// One QWP ingress connection, transport-free: takes whole binary messages in arrival order,
// decodes them with the library's strict decoder, commits or defers their rows and returns
// the response frame (OK or error) for each. The WebSocket session only moves bytes.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "fault_state.hpp"
#include "qwp/decoder.hpp"
#include "storage.hpp"

namespace questdb::test_server::detail {

/// Response to one ingress frame.
struct IngressReply {
    std::vector<std::uint8_t> bytes;
    /// Tables committed by this frame with their seqTxn (for durable-ack tracking).
    CommitResult committed;
};

class IngressConnection {
  public:
    IngressConnection(Database& db, FaultState& faults, std::uint8_t version, bool sink);

    /// Processes one whole message (header + payload); wire sequence = arrival index.
    IngressReply on_frame(std::span<const std::uint8_t> frame);
    /// Answers the next frame with an error without decoding it (e.g. a text frame).
    IngressReply reject_frame(Status status, std::string_view message) {
        return error(next_seq_++, status, message);
    }
    /// Drops the uncommitted (deferred) rows, as a disconnect does.
    void on_disconnect() noexcept { pending_.clear(); }
    [[nodiscard]] std::uint64_t next_sequence() const noexcept { return next_seq_; }

  private:
    IngressReply error(std::uint64_t seq, Status status, std::string_view message);
    IngressReply ok(std::uint64_t seq, const CommitResult& committed);
    void convert(const qwp::DecodedMessage& message, std::vector<IncomingBlock>& out) const;

    Database& db_;
    FaultState& faults_;
    qwp::IngressDecoderState decoder_state_;
    qwp::DecodeLimits limits_;
    bool sink_;
    std::uint64_t next_seq_ = 0;
    std::vector<IncomingBlock> pending_;  // rows of FLAG_DEFER_COMMIT frames
};

/// Response frame layouts (qwp-ingress-websocket.md "Server responses").
std::vector<std::uint8_t> encode_ok(std::uint64_t seq, const CommitResult& tables);
std::vector<std::uint8_t> encode_error(std::uint64_t seq, Status status, std::string_view message);
std::vector<std::uint8_t> encode_durable_ack(const CommitResult& tables);

}  // namespace questdb::test_server::detail
