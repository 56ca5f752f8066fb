#pragma once

// Walking the `addr` list: try each endpoint in order (starting anywhere, wrapping around,
// each once) until one connects, record every per-endpoint outcome, and stop early on a
// terminal one (401/403, or a caller-declared terminal mismatch), as the failover rules of
// qwp-client-behavior.md require. Backoff between walks is the caller's business.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "ws/blocking.hpp"
#include "ws/connection.hpp"
#include "ws/upgrade.hpp"

namespace questdb::ws {

/// One endpoint tried during a walk.
struct EndpointAttempt {
    std::size_t index = 0;  ///< position in the caller's endpoint list
    Endpoint endpoint;
    ConnectOutcome outcome;
};

/// Everything a walk did.
struct WalkReport {
    std::vector<EndpointAttempt> attempts;  ///< in the order tried
    std::optional<std::size_t> connected;   ///< index of the bound endpoint

    [[nodiscard]] bool ok() const noexcept { return connected.has_value(); }
    /// The walk stopped on a terminal outcome (the last attempt).
    [[nodiscard]] bool terminal() const noexcept;
    /// Every attempt was a role reject (none transient, none terminal).
    [[nodiscard]] bool all_role_rejects() const noexcept;
    /// Some role reject came from a node being promoted (PRIMARY_CATCHUP).
    [[nodiscard]] bool any_transient_role_reject() const noexcept;
    /// What to report when !ok():
    /// - terminal: that attempt's failure (e.g. auth_error), unchanged;
    /// - all role rejects: role_mismatch "no endpoint has the required role: ...";
    /// - otherwise "all QWP endpoints unreachable: <each endpoint: its reason>" with the
    ///   code of the last transient failure (socket_error, tls_error, ...).
    [[nodiscard]] detail::Failure failure() const;
};

/// The order a walk visits `count` endpoints in when it starts at `start`.
std::vector<std::size_t> walk_order(std::size_t count, std::size_t start);

/// An asynchronous walk over a fixed endpoint list, producing a connected Connection.
///
/// Threading as for Connection: call every member (and the destructor) on `executor`.
/// Destroying the walk (or cancel()) aborts the attempt in progress; after destruction the
/// handler is never called, after cancel() it is called with the attempts so far.
class EndpointWalk {
  public:
    using Handler = std::function<void(std::unique_ptr<Connection> connection, WalkReport report)>;

    EndpointWalk(const boost::asio::any_io_executor& executor, std::vector<Endpoint> endpoints,
                 ConnectionOptions options);
    ~EndpointWalk();
    EndpointWalk(const EndpointWalk&) = delete;
    EndpointWalk& operator=(const EndpointWalk&) = delete;

    /// Starts a walk at `start` (taken modulo the endpoint count). `handler` receives the
    /// connection (null unless report.ok()). One walk at a time per object.
    void async_run(std::size_t start, Handler handler);

    /// Aborts the walk in progress.
    void cancel() noexcept;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

/// Extra per-endpoint check after a successful upgrade, e.g. reading SERVER_INFO and
/// applying `target=`: return success to bind, a role_reject/transient outcome to move on,
/// a terminal one to stop.
using PostConnectCheck = std::function<ConnectOutcome(BlockingConnection& connection)>;

/// The blocking walk: returns the first connection that upgrades and passes `check`, or null
/// (see report.failure()). Each attempt is bounded by the options' connect and auth timeouts.
std::unique_ptr<BlockingConnection> connect_first(const std::vector<Endpoint>& endpoints,
                                                  std::size_t start,
                                                  const ConnectionOptions& options,
                                                  WalkReport& report,
                                                  const PostConnectCheck& check = {});

}  // namespace questdb::ws
