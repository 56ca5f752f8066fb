#pragma once

// A small real egress server for the e2e tests: Boost.Beast WebSocket on 127.0.0.1:<ephemeral>,
// GET /read/v1 with the X-QWP-* upgrade headers, SERVER_INFO first, then answers every
// QUERY_REQUEST via a handler using the library's server-side writer (src/egress/server_writer).
// It enforces byte credits exactly as the spec describes (E2) and measures how far the client
// let it run ahead (bytes sent minus bytes granted back), the client's memory exposure.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "egress/server_writer.hpp"

namespace questdb::egress::test {

/// How the server answers one query.
struct FakeAnswer {
    enum class Kind { rows, exec_done, error };
    Kind kind = Kind::rows;
    /// rows: fills `out` (cleared, columns already constructed by `make_columns`) with rows
    /// [first, first + n) of the result.
    std::function<std::vector<server::ResultColumn>()> make_columns;
    std::function<void(std::size_t first, std::size_t n, std::vector<server::ResultColumn>& out)>
        fill;
    std::size_t total_rows = 0;
    std::size_t batch_rows = 4096;
    std::size_t drop_after_batches = SIZE_MAX;  ///< close the TCP connection abruptly
    std::uint8_t status = 0;                    ///< error
    std::string message;                        ///< error
    std::uint8_t op_type = 0;                   ///< exec_done
    std::uint64_t rows_affected = 0;            ///< exec_done
};

class EgressWsServer {
  public:
    using Handler = std::function<FakeAnswer(const server::QueryRequestMsg&)>;
    struct Options {
        bool zstd = true;  ///< accept zstd when the client offers it
        ServerInfo info;
    };
    EgressWsServer(Handler handler, Options options);
    ~EgressWsServer();

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::string conf(const std::string& extra = "") const;

    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> queries{0};
    std::atomic<std::uint64_t> cancels{0};
    std::atomic<std::uint64_t> credits{0};
    std::atomic<std::int64_t> peak_outstanding{0};  ///< max(sent - granted) over bounded queries
    std::atomic<bool> saw_zstd_batch{false};
    std::mutex mutex;
    std::vector<std::string> violations;  ///< guarded by mutex

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
};

}  // namespace questdb::egress::test
