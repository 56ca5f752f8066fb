#pragma once

// An in-memory scripted egress server behind the EgressConnector seam: each endpoint has a
// behaviour (connect verdict, SERVER_INFO, how it answers QUERY_REQUEST/CANCEL/CREDIT). It
// enforces the byte-credit rules exactly (E2: send while budget > 0, one-batch row floor) and
// asserts client-side rules (no header on client frames, one query in flight, no CREDIT for
// unbounded or finished queries) by recording violations.

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "egress/reader_core.hpp"
#include "egress/server_writer.hpp"
#include "egress/transport.hpp"

namespace questdb::egress::test {

using Frame = std::vector<std::uint8_t>;

struct FakeEndpoint;

/// One accepted connection.
class FakeConnection : public EgressTransport {
  public:
    FakeConnection(FakeEndpoint& endpoint, std::size_t index);
    detail::Status send(std::span<const std::uint8_t> frame) override;
    detail::Result<std::span<const std::uint8_t>> receive(
        std::chrono::milliseconds timeout) override;
    void abort() noexcept override { closed = true; }
    [[nodiscard]] bool zstd_negotiated() const noexcept override;

    void push(Frame f) { inbox.push_back(std::move(f)); }
    /// Emits result batches while the budget allows (E2).
    void pump();
    /// Answers the active query with QUERY_ERROR(CANCELLED).
    void answer_cancel();

    FakeEndpoint& endpoint;
    std::size_t index;
    std::deque<Frame> inbox;
    Frame current;
    bool closed = false;
    bool broken = false;  ///< after the inbox drains, receive fails (a dropped TCP connection)
    bool silent = false;  ///< after the inbox drains, receive times out
    server::ResultEncoder encoder;
    // state of the active query
    bool active = false;
    std::int64_t request_id = -1;
    std::int64_t budget = 0;
    bool bounded = false;
    std::size_t next_row = 0;
    std::uint64_t seq = 0;
    std::size_t batches_sent = 0;
    bool cancel_pending = false;  ///< cancel_needs_credit: a CANCEL waits for a CREDIT
};

/// Behaviour of one endpoint.
struct FakeEndpoint {
    std::string name = "fake";
    ConnectResult::Verdict verdict = ConnectResult::Verdict::connected;
    ErrorCode fail_code = ErrorCode::socket_error;
    bool zstd = false;
    bool send_server_info = true;
    ServerInfo info;
    std::vector<Frame> first_frames;  ///< replaces SERVER_INFO when non-empty

    // Result production
    std::vector<server::ResultColumn> columns;  ///< the result of every SELECT
    std::size_t batch_rows = 100;
    server::BatchEncodeOptions batch_options;
    std::size_t drop_after_batches = SIZE_MAX;  ///< break the connection after N batches
    bool ignore_cancel = false;
    /// Like QuestDB: a CANCEL for a query paused on credit (budget <= 0) is only acted on at
    /// the next CREDIT (which then answers CANCELLED instead of sending more).
    bool cancel_needs_credit = false;
    /// Custom answer to a QUERY_REQUEST (return true when handled).
    std::function<bool(FakeConnection&, const server::QueryRequestMsg&)> on_query;

    // Recorded
    std::size_t connects = 0;
    std::vector<server::QueryRequestMsg> queries;
    std::vector<server::CancelMsg> cancels;
    std::vector<server::CreditMsg> credits;
    std::vector<std::string> violations;
    std::vector<Frame> raw_client_frames;
    std::int64_t peak_outstanding = 0;  ///< max bytes sent but not yet granted back
};

/// Connector over a list of endpoints.
class FakeConnector : public EgressConnector {
  public:
    explicit FakeConnector(std::vector<std::shared_ptr<FakeEndpoint>> endpoints)
        : endpoints_(std::move(endpoints)) {}
    [[nodiscard]] std::size_t endpoint_count() const noexcept override { return endpoints_.size(); }
    [[nodiscard]] std::string endpoint_name(std::size_t i) const override {
        return endpoints_[i]->name;
    }
    ConnectResult connect(std::size_t i) override;
    std::vector<std::shared_ptr<FakeEndpoint>> endpoints_;
    std::vector<std::size_t> visit_order;
    FakeConnection* last = nullptr;
};

/// A LONG column 0..rows-1 named "id" and a SYMBOL column "sym" cycling `symbols` values.
std::vector<server::ResultColumn> id_sym_columns(std::size_t rows, std::size_t symbols = 3);

/// A reader core over fake endpoints with a recorded, non-sleeping clock.
struct FakeReader {
    std::vector<std::shared_ptr<FakeEndpoint>> endpoints;
    FakeConnector* connector = nullptr;
    std::shared_ptr<ReaderCore> core;
    std::vector<std::chrono::milliseconds> sleeps;
    std::chrono::steady_clock::time_point clock{};

    explicit FakeReader(std::size_t n, ReaderSettings settings = {});
    Reader reader() { return Reader(core); }
    FakeEndpoint& ep(std::size_t i) { return *endpoints[i]; }
};

}  // namespace questdb::egress::test
