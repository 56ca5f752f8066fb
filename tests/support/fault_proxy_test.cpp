// The fault proxy's own tests: the plan is deterministic and follows the schedule; each fault
// does what it says on real loopback sockets; outages call the hooks and keep committed rows.

#include "support/fault_proxy.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "questdb/db.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/test_server/server.hpp"
#include "support/wait_for.hpp"

namespace {

using namespace std::chrono_literals;
using questdb::test::FaultKind;
using questdb::test::FaultPlan;
using questdb::test::FaultProxy;
using questdb::test::FaultSchedule;
using questdb::test::wait_for;
namespace asio = boost::asio;
using asio::ip::tcp;

// ---- FaultPlan (no sockets) ----

FaultSchedule everything_at(double p) {
    FaultSchedule s;
    s.delay_probability = p;
    s.fragment_probability = p;
    s.stall_probability = p;
    s.cut_probability = p;
    s.delay_min = 2ms;
    s.delay_max = 9ms;
    s.stall_min = 100ms;
    s.stall_max = 300ms;
    s.restart_every_min = 50ms;
    s.restart_every_max = 80ms;
    s.downtime_min = 5ms;
    s.downtime_max = 15ms;
    return s;
}

TEST(FaultPlan, TheSameSeedGivesTheSameSequence) {
    FaultPlan a(42, everything_at(0.2));
    FaultPlan b(42, everything_at(0.2));
    FaultPlan other(43, everything_at(0.2));
    int differences = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto da = a.next_chunk();
        const auto db = b.next_chunk();
        const auto dother = other.next_chunk();
        ASSERT_EQ(da.kind, db.kind) << i;
        ASSERT_EQ(da.pause, db.pause) << i;
        ASSERT_EQ(a.next_piece_bytes(), b.next_piece_bytes()) << i;
        ASSERT_EQ(a.next_restart_in(), b.next_restart_in()) << i;
        differences += da.kind != dother.kind;
        (void)other.next_piece_bytes();
        (void)other.next_restart_in();
    }
    EXPECT_GT(differences, 100) << "another seed gives another sequence";
}

TEST(FaultPlan, NoFaultsByDefault) {
    FaultPlan plan(7, FaultSchedule{});
    for (int i = 0; i < 10'000; ++i) {
        ASSERT_EQ(plan.next_chunk().kind, FaultKind::none);
    }
    EXPECT_EQ(plan.next_restart_in(), 0ms) << "restarts are off";
}

TEST(FaultPlan, FrequenciesAndRangesFollowTheSchedule) {
    FaultPlan plan(1, everything_at(0.1));
    std::array<int, 5> seen{};
    constexpr int kDraws = 100'000;
    for (int i = 0; i < kDraws; ++i) {
        const auto d = plan.next_chunk();
        ++seen[static_cast<std::size_t>(d.kind)];
        if (d.kind == FaultKind::delay) {
            ASSERT_GE(d.pause, 2ms);
            ASSERT_LE(d.pause, 9ms);
        } else if (d.kind == FaultKind::stall) {
            ASSERT_GE(d.pause, 100ms);
            ASSERT_LE(d.pause, 300ms);
        } else {
            ASSERT_EQ(d.pause, 0ms);
        }
        const auto piece = plan.next_piece_bytes();
        ASSERT_GE(piece, 1u);
        ASSERT_LE(piece, 7u);
        const auto restart = plan.next_restart_in();
        ASSERT_GE(restart, 50ms);
        ASSERT_LE(restart, 80ms);
    }
    for (auto kind : {FaultKind::delay, FaultKind::fragment, FaultKind::stall, FaultKind::cut}) {
        const double share = seen[static_cast<std::size_t>(kind)] / double(kDraws);
        EXPECT_NEAR(share, 0.1, 0.01) << "kind " << static_cast<int>(kind);
    }
    EXPECT_NEAR(seen[0] / double(kDraws), 0.6, 0.01);
}

// ---- An echo server behind the proxy ----

/// Echoes every connection on its own I/O thread; counts connections that ended.
class EchoServer {
  public:
    EchoServer() : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
        asio::co_spawn(io_, accept(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~EchoServer() {
        io_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::size_t ended() const { return ended_.load(); }
    std::size_t bytes() const { return bytes_.load(); }

  private:
    asio::awaitable<void> accept() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            asio::co_spawn(io_, echo(std::move(socket)), asio::detached);
        }
    }
    asio::awaitable<void> echo(tcp::socket socket) {
        std::array<char, 4096> data;
        for (;;) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(data),
                                                           asio::as_tuple(asio::use_awaitable));
            if (ec)
                break;
            bytes_ += n;
            auto [wec, written] = co_await asio::async_write(socket, asio::buffer(data.data(), n),
                                                             asio::as_tuple(asio::use_awaitable));
            if (wec)
                break;
        }
        ++ended_;
    }
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<std::size_t> ended_{0};
    std::atomic<std::size_t> bytes_{0};
};

/// A blocking client of the proxy.
struct Client {
    explicit Client(std::uint16_t port) : socket(io) {
        socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    }
    std::vector<std::uint8_t> round_trip(const std::vector<std::uint8_t>& out) {
        asio::write(socket, asio::buffer(out));
        std::vector<std::uint8_t> in(out.size());
        asio::read(socket, asio::buffer(in));
        return in;
    }
    /// Reads until the connection ends; returns the error that ended it.
    boost::system::error_code read_until_closed() {
        std::array<char, 256> sink;
        boost::system::error_code ec;
        while (!ec) {
            (void)socket.read_some(asio::buffer(sink), ec);
        }
        return ec;
    }
    asio::io_context io;
    tcp::socket socket;
};

std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::mt19937 rng(5);
    std::vector<std::uint8_t> out(n);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(rng());
    return out;
}

TEST(FaultProxy, ForwardsFaithfullyWithoutFaults) {
    EchoServer echo;
    FaultProxy proxy(echo.port(), 1);
    proxy.start();
    Client client(proxy.port());
    const auto data = random_bytes(200'000);
    EXPECT_EQ(client.round_trip(data), data);
    const auto counts = proxy.counts();
    EXPECT_EQ(counts.faults(), 0u) << counts.to_string();
    EXPECT_EQ(counts.connections, 1u);
    EXPECT_EQ(counts.bytes_to_server, data.size());
    EXPECT_EQ(counts.bytes_to_client, data.size());
}

TEST(FaultProxy, FragmentsSplitEveryWriteIntoSmallPieces) {
    EchoServer echo;
    FaultSchedule s;
    s.fragment_probability = 1.0;
    s.fragment_max_bytes = 3;
    FaultProxy proxy(echo.port(), 2, s);
    proxy.start();
    Client client(proxy.port());
    const auto data = random_bytes(3000);
    EXPECT_EQ(client.round_trip(data), data) << "pieces arrive complete and in order";
    const auto counts = proxy.counts();
    EXPECT_GE(counts.fragments, 2u) << counts.to_string();
    EXPECT_LE(counts.largest_piece, 3u);
    EXPECT_GE(counts.fragment_pieces, 2 * data.size() / 3)
        << "both directions, at most 3 bytes each";
}

TEST(FaultProxy, DelaysHoldEachChunk) {
    EchoServer echo;
    FaultSchedule s;
    s.delay_probability = 1.0;
    s.delay_min = s.delay_max = 150ms;
    FaultProxy proxy(echo.port(), 3, s);
    proxy.start();
    Client client(proxy.port());
    const auto started = std::chrono::steady_clock::now();
    const std::vector<std::uint8_t> data{1, 2, 3, 4};
    EXPECT_EQ(client.round_trip(data), data);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms) << "held both ways";
    EXPECT_EQ(proxy.counts().delays, 2u);
}

TEST(FaultProxy, StallsStopADirection) {
    EchoServer echo;
    FaultSchedule s;
    s.stall_probability = 1.0;
    s.stall_min = s.stall_max = 400ms;
    FaultProxy proxy(echo.port(), 4, s);
    proxy.start();
    Client client(proxy.port());
    const auto started = std::chrono::steady_clock::now();
    const std::vector<std::uint8_t> data{9, 8, 7};
    EXPECT_EQ(client.round_trip(data), data);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 800ms);
    EXPECT_EQ(proxy.counts().stalls, 2u);
}

TEST(FaultProxy, CutsResetBothSidesAndDropTheChunk) {
    EchoServer echo;
    FaultSchedule s;
    s.cut_probability = 1.0;
    FaultProxy proxy(echo.port(), 5, s);
    proxy.start();
    Client client(proxy.port());
    ASSERT_TRUE(wait_for([&] { return proxy.open_connections() == 1; }));
    const std::vector<std::uint8_t> data{1, 2, 3};
    asio::write(client.socket, asio::buffer(data));
    const auto ec = client.read_until_closed();
    EXPECT_EQ(ec, asio::error::connection_reset) << ec.message();
    EXPECT_TRUE(wait_for([&] { return echo.ended() == 1; })) << "the server side is closed too";
    EXPECT_EQ(echo.bytes(), 0u) << "the chunk was dropped";
    EXPECT_EQ(proxy.counts().cuts, 1u);
    // The proxy forgets the link just after resetting its sockets, so the client can see the
    // reset first (seen under ASan in CI).
    EXPECT_TRUE(wait_for([&] { return proxy.open_connections() == 0; }));
}

TEST(FaultProxy, CutAllResetsOpenConnections) {
    EchoServer echo;
    FaultProxy proxy(echo.port(), 6);
    proxy.start();
    Client a(proxy.port());
    Client b(proxy.port());
    ASSERT_TRUE(wait_for([&] { return proxy.open_connections() == 2; }));
    proxy.cut_all();
    EXPECT_EQ(a.read_until_closed(), asio::error::connection_reset);
    EXPECT_EQ(b.read_until_closed(), asio::error::connection_reset);
    EXPECT_EQ(proxy.counts().cuts, 2u);
    EXPECT_TRUE(wait_for([&] { return echo.ended() == 2; }));
}

TEST(FaultProxy, AnUnreachableServerClosesTheClient) {
    std::uint16_t dead_port = 0;
    {
        asio::io_context io;
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        dead_port = probe.local_endpoint().port();
    }
    FaultProxy proxy(dead_port, 7);
    proxy.start();
    Client client(proxy.port());
    EXPECT_EQ(client.read_until_closed(), asio::error::eof);
    EXPECT_EQ(proxy.counts().upstream_refused, 1u);
}

TEST(FaultProxy, OutagesCallTheHooksOnScheduleAndQuiesceEndsThem) {
    EchoServer echo;
    FaultSchedule s;
    s.restart_every_min = 5ms;
    s.restart_every_max = 20ms;
    s.downtime_min = s.downtime_max = 5ms;
    FaultProxy proxy(echo.port(), 8, s);
    std::atomic<int> stops{0};
    std::atomic<int> starts{0};
    std::atomic<bool> up{true};
    std::atomic<bool> overlapped{false};
    proxy.set_server_hooks(
        [&] {
            overlapped = overlapped || !up;
            up = false;
            ++stops;
        },
        [&] {
            overlapped = overlapped || up;
            up = true;
            ++starts;
        });
    proxy.start();
    ASSERT_TRUE(wait_for([&] { return proxy.counts().restarts >= 3; }));
    proxy.quiesce();
    EXPECT_TRUE(up) << "quiesce returns with the server up";
    EXPECT_EQ(stops.load(), starts.load());
    EXPECT_FALSE(overlapped) << "stop and start alternate";
    EXPECT_EQ(proxy.counts().restarts, static_cast<std::uint64_t>(starts.load()));
    EXPECT_EQ(proxy.counts().restart_failures, 0u);
}

// The hooks drive the real test server: a restart in the middle of a stream keeps every
// committed row, and the client reconnects through the proxy.
TEST(FaultProxy, RestartingTheTestServerThroughTheProxyLosesNoRows) {
    questdb::test_server::Server server;
    server.start();
    FaultProxy proxy(server.port(), 9);
    proxy.set_server_hooks([&] { server.stop(); }, [&] { server.start(); });
    proxy.start();
    auto db = questdb::QuestDb::connect(
        "ws::addr=" + proxy.address() +
        ";reconnect_initial_backoff_millis=5;reconnect_max_backoff_millis=50;");
    auto sender = db.borrow_column_sender();
    std::vector<std::int64_t> ids(10), stamps(10);
    for (std::int64_t batch = 0; batch < 20; ++batch) {
        for (std::int64_t i = 0; i < 10; ++i) {
            ids[i] = batch * 10 + i;
            stamps[i] = 1'700'000'000'000'000'000 + ids[i];
        }
        questdb::ingress::Chunk chunk("restarts");
        chunk.column_i64("id", ids).designated_timestamp_nanos(stamps);
        sender.flush(chunk);
        if (batch == 9) {
            sender.wait(questdb::ingress::AckLevel::ok, 10s);
            proxy.restart_server(50ms);
        }
    }
    sender.wait(questdb::ingress::AckLevel::ok, 20s);
    EXPECT_EQ(proxy.counts().restarts, 1u);
    EXPECT_GE(proxy.counts().connections, 2u) << "the sender reconnected";
    std::set<std::int64_t> seen;
    const auto table = server.table("restarts");  // rows() borrows the snapshot
    for (const auto& row : table.rows())
        seen.insert(row.i64("id"));
    EXPECT_EQ(seen.size(), 200u);
}

}  // namespace
