#pragma once

// FaultProxy: a loopback TCP proxy that sits between a client and the test server and,
// driven by a seeded RNG and a FaultSchedule, delays, fragments, stalls and cuts the
// traffic it forwards, and stops/starts the server behind it. It counts every fault it
// injects so a soak can report them. FaultPlan is the socket-free decision maker, kept
// apart so its determinism can be tested on its own.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

namespace questdb::test {

/// How often and how hard each fault strikes. Probabilities apply to every chunk of bytes
/// the proxy reads from either side (one read = one chunk); at most one fault per chunk.
/// All zero (the default) forwards faithfully.
struct FaultSchedule {
    /// Hold the chunk for a uniform [delay_min, delay_max] before forwarding it.
    double delay_probability = 0.0;
    std::chrono::milliseconds delay_min{1};
    std::chrono::milliseconds delay_max{20};

    /// Forward the chunk in pieces of 1..fragment_max_bytes bytes, fragment_gap apart.
    double fragment_probability = 0.0;
    std::size_t fragment_max_bytes = 7;
    std::chrono::milliseconds fragment_gap{0};

    /// Stop forwarding in this direction for a uniform [stall_min, stall_max] (the kernel
    /// buffers what arrives meanwhile), then forward the chunk.
    double stall_probability = 0.0;
    std::chrono::milliseconds stall_min{200};
    std::chrono::milliseconds stall_max{1000};

    /// Drop the chunk and reset both sockets (RST: SO_LINGER 0).
    double cut_probability = 0.0;

    /// Server outages: every uniform [restart_every_min, restart_every_max] the proxy calls
    /// the stop hook, waits a uniform [downtime_min, downtime_max], then calls the start hook.
    /// restart_every_max of zero disables restarts.
    std::chrono::milliseconds restart_every_min{0};
    std::chrono::milliseconds restart_every_max{0};
    std::chrono::milliseconds downtime_min{0};
    std::chrono::milliseconds downtime_max{0};
};

/// The kinds of fault, as counted.
enum class FaultKind { none, delay, fragment, stall, cut };

/// What FaultPlan decided for one chunk.
struct FaultDecision {
    FaultKind kind = FaultKind::none;
    std::chrono::milliseconds pause{0};  ///< delay or stall before forwarding
};

/// Seeded decisions: the same seed and schedule give the same sequence. Not thread-safe.
class FaultPlan {
  public:
    FaultPlan(std::uint64_t seed, FaultSchedule schedule);

    void set_schedule(const FaultSchedule& schedule) { schedule_ = schedule; }
    [[nodiscard]] const FaultSchedule& schedule() const noexcept { return schedule_; }

    /// The fault for the next chunk.
    FaultDecision next_chunk();
    /// The size of the next fragment piece, 1..fragment_max_bytes.
    std::size_t next_piece_bytes();
    /// Time until the next server outage; zero when restarts are disabled.
    std::chrono::milliseconds next_restart_in();
    /// Length of the next outage.
    std::chrono::milliseconds next_downtime();

  private:
    std::chrono::milliseconds uniform(std::chrono::milliseconds lo, std::chrono::milliseconds hi);
    FaultSchedule schedule_;
    std::mt19937_64 rng_;
};

/// What the proxy did, for reports and assertions.
struct FaultCounts {
    std::uint64_t delays = 0;
    std::uint64_t fragments = 0;        ///< chunks split
    std::uint64_t fragment_pieces = 0;  ///< writes issued for split chunks
    std::size_t largest_piece = 0;      ///< largest such write, bytes
    std::uint64_t stalls = 0;
    std::uint64_t cuts = 0;
    std::uint64_t restarts = 0;          ///< completed stop+start cycles
    std::uint64_t restart_failures = 0;  ///< a hook threw
    std::uint64_t connections = 0;       ///< client connections accepted
    std::uint64_t upstream_refused = 0;  ///< of which the server could not be reached
    std::uint64_t bytes_to_server = 0;
    std::uint64_t bytes_to_client = 0;

    [[nodiscard]] std::uint64_t faults() const noexcept {
        return delays + fragments + stalls + cuts + restarts;
    }
    /// One line: "delays=.. fragments=.. stalls=.. cuts=.. restarts=.. connections=.. ...".
    [[nodiscard]] std::string to_string() const;
};

/// A fault-injecting proxy on 127.0.0.1 in front of 127.0.0.1:<upstream_port>.
///
/// Runs its own I/O thread and, when restarts are scheduled, an outage thread that calls the
/// hooks. Every member may be called from any thread. Destruction stops it.
class FaultProxy {
  public:
    FaultProxy(std::uint16_t upstream_port, std::uint64_t seed, FaultSchedule schedule = {});
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    /// Binds an ephemeral port and starts forwarding. Throws std::runtime_error.
    void start();
    /// Closes the listener and every connection, joins the threads. Idempotent.
    void stop();

    [[nodiscard]] std::uint16_t port() const noexcept;
    /// "127.0.0.1:<port>".
    [[nodiscard]] std::string address() const;

    /// Replaces the schedule for chunks read from now on and for the next outage.
    void set_schedule(const FaultSchedule& schedule);
    /// Stop/start hooks for outages (e.g. test_server::Server::stop / start). Set before
    /// start(); without them outages are skipped.
    void set_server_hooks(std::function<void()> stop_server, std::function<void()> start_server);
    /// Disables every fault and returns once no outage is in progress: the server is up
    /// (unless a hook failed) and the proxy forwards faithfully.
    void quiesce();
    /// One outage now, on the caller's thread (stop hook, `downtime`, start hook).
    void restart_server(std::chrono::milliseconds downtime = std::chrono::milliseconds(0));
    /// Resets every open connection now (counted as cuts).
    void cut_all();

    [[nodiscard]] FaultCounts counts() const;
    /// Connections currently open through the proxy.
    [[nodiscard]] std::size_t open_connections() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace questdb::test
