#pragma once

// The per-connection egress protocol state machine, without I/O: fed with inbound server
// frames, it produces outbound client frames and events. It enforces SERVER_INFO first, one
// query in flight, request-id matching and exactly one terminator (B14), strictly increasing
// batch_seq (D4), CACHE_RESET only at a query boundary (D19), byte-credit accounting (E1-E6)
// and cancel semantics (F1, F2: batches after CANCEL are dropped but their dictionary applies).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "egress/batch_decoder.hpp"
#include "egress/binds.hpp"
#include "egress/messages.hpp"
#include "egress/status.hpp"
#include "egress/symbol_dict.hpp"
#include "questdb/egress/types.hpp"

namespace questdb::egress {

/// What one inbound frame meant.
struct InboundEvent {
    enum class Kind {
        batch,          ///< rows for the caller: `batch`
        dropped_batch,  ///< a batch after CANCEL: dictionary applied, rows discarded
        cache_reset,    ///< connection caches cleared; nothing for the caller
        result_end,     ///< terminator: `end`
        exec_done,      ///< terminator: `done`
        query_error,    ///< terminator: `status`, `message` (connection_level for id -1)
    };
    Kind kind = Kind::cache_reset;
    const detail::BatchData* batch = nullptr;
    std::uint32_t wire_bytes = 0;  ///< 12 + payload_length of a RESULT_BATCH
    ResultEnd end;
    ExecDone done;
    std::uint8_t status = 0;
    std::string message;
    bool connection_level = false;
};

class QueryProtocol {
  public:
    struct Options {
        bool zstd_negotiated = false;
        std::uint8_t version = wire::kVersion;
        std::size_t max_decompressed_bytes = wire::kDefaultMaxDecompressedBytes;
        std::size_t max_request_bytes = wire::kDefaultMaxRequestBytes;
    };
    explicit QueryProtocol(Options options);

    /// The first frame of the connection: must be SERVER_INFO (A12, A13).
    detail::Result<ServerInfo> on_handshake_frame(std::span<const std::uint8_t> frame);
    [[nodiscard]] bool handshake_done() const noexcept { return server_info_.has_value(); }
    [[nodiscard]] const std::optional<ServerInfo>& server_info() const noexcept {
        return server_info_;
    }

    struct QuerySpec {
        std::int64_t request_id = 0;
        std::string_view sql;
        const BindList* binds = nullptr;
        std::uint64_t initial_credit = 0;
        bool reset_dictionary = false;  ///< QUERY_FLAG_RESET_DICT, only sent with CAP_QUERY_FLAGS
    };
    /// Encodes the QUERY_REQUEST into `out`. Fails (nothing to send) when a query is active,
    /// before the handshake, or on a local limit.
    detail::Status begin_query(const QuerySpec& spec, std::vector<std::uint8_t>& out);

    /// Processes one server frame. The frame must outlive the returned batch pointer. A failure
    /// is a connection-level protocol error: the connection must be dropped.
    detail::Result<InboundEvent> on_frame(std::span<const std::uint8_t> frame);

    /// Marks the active query cancelled and encodes CANCEL once; false when nothing to send.
    bool cancel(std::vector<std::uint8_t>& out);

    /// After cancel() on a credit-bounded query: encodes CREDIT(1) once, not counted in
    /// credit_granted_total(). QuestDB evaluates a CANCEL only when the paused stream is
    /// re-entered, which for a query paused on credit happens only on a CREDIT (Z4).
    bool cancel_nudge(std::vector<std::uint8_t>& out);

    /// The caller released a batch of `wire_bytes`: encodes a CREDIT grant of that size when
    /// the query is credit-bounded, active and not cancelled (E3, E6, F7).
    bool on_batch_released(std::uint32_t wire_bytes, std::vector<std::uint8_t>& out);
    /// An explicit grant. Never sends 0 or after the terminator; fails on an unbounded query.
    detail::Result<bool> add_credit(std::uint64_t bytes, std::vector<std::uint8_t>& out);

    [[nodiscard]] bool query_active() const noexcept { return active_; }
    [[nodiscard]] bool cancel_requested() const noexcept { return cancelled_; }
    [[nodiscard]] std::int64_t request_id() const noexcept { return request_id_; }
    [[nodiscard]] std::uint64_t credit_granted_total() const noexcept { return granted_; }
    [[nodiscard]] std::uint64_t bytes_consumed() const noexcept { return consumed_; }
    [[nodiscard]] const SymbolDict& dictionary() const noexcept { return dict_; }
    [[nodiscard]] std::size_t scratch_bytes() const noexcept { return decoder_.scratch_bytes(); }

  private:
    detail::Result<InboundEvent> on_batch(const wire::FrameHeader& header,
                                          std::span<const std::uint8_t> payload);
    detail::Status check_request(std::int64_t id, std::string_view what) const;
    void finish_query() noexcept;

    Options options_;
    std::optional<ServerInfo> server_info_;
    SymbolDict dict_;
    BatchDecoder decoder_;
    QuerySchema schema_;
    bool active_ = false;
    bool cancelled_ = false;
    bool cancel_sent_ = false;
    bool nudge_sent_ = false;
    bool batch_seen_ = false;
    std::int64_t request_id_ = -1;
    std::uint64_t next_seq_ = 0;
    std::uint64_t initial_credit_ = 0;
    std::uint64_t granted_ = 0;
    std::uint64_t consumed_ = 0;
};

}  // namespace questdb::egress
