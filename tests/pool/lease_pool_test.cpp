#include "pool/lease_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "support/wait_for.hpp"

namespace {

using questdb::ErrorCode;
using questdb::pool::LeasePool;
using questdb::pool::PoolLimits;
using namespace std::chrono_literals;

struct FakeCore {
    explicit FakeCore(std::size_t slot, std::atomic<int>& live) : slot(slot), live(live) { ++live; }
    ~FakeCore() { --live; }
    bool must_close() const { return broken; }
    std::size_t slot;
    std::atomic<int>& live;
    bool broken = false;
};

struct PoolFixture : ::testing::Test {
    std::atomic<int> live{0};
    std::atomic<int> created{0};
    std::atomic<bool> fail_next{false};

    LeasePool<FakeCore>::Factory factory() {
        return [this](std::size_t slot) -> questdb::detail::Result<std::unique_ptr<FakeCore>> {
            if (fail_next.exchange(false)) {
                return questdb::detail::fail(ErrorCode::socket_error, "connection refused");
            }
            ++created;
            return std::make_unique<FakeCore>(slot, live);
        };
    }
};

TEST_F(PoolFixture, CreatesLazilyAndRecyclesReturnedCores) {
    LeasePool<FakeCore> pool("sender", PoolLimits{0, 4, 0ms, 1000ms}, factory());
    EXPECT_EQ(live, 0) << "nothing opens before the first borrow";
    auto a = pool.acquire();
    ASSERT_TRUE(a.ok());
    FakeCore* first = a.value().core.get();
    pool.release(std::move(a).value());
    auto b = pool.acquire();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.value().core.get(), first) << "an idle core is reused";
    EXPECT_EQ(created, 1);
    pool.release(std::move(b).value());
}

TEST_F(PoolFixture, BorrowingAtTheCapIsPoolExhausted) {
    LeasePool<FakeCore> pool("sender", PoolLimits{0, 2, 0ms, 1000ms}, factory());
    auto a = pool.acquire();
    auto b = pool.acquire();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a.value().slot, b.value().slot);
    auto c = pool.acquire();
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.failure().code, ErrorCode::pool_exhausted);
    EXPECT_NE(c.failure().message.find("pool_max"), std::string::npos);
    pool.release(std::move(a).value());
    auto d = pool.acquire();
    EXPECT_TRUE(d.ok()) << "a return frees a place";
    pool.release(std::move(b).value());
    pool.release(std::move(d).value());
}

TEST_F(PoolFixture, AtTheCapABorrowWaitsForAReturnWithinAcquireTimeout) {
    LeasePool<FakeCore> pool("sender", PoolLimits{0, 1, 10'000ms, 1000ms}, factory());
    auto a = pool.acquire();
    ASSERT_TRUE(a.ok());
    std::atomic<bool> got{false};
    std::thread waiter([&] {
        auto b = pool.acquire();
        got = b.ok();
        if (b.ok()) pool.release(std::move(b).value());
    });
    pool.release(std::move(a).value());
    waiter.join();
    EXPECT_TRUE(got);
}

TEST_F(PoolFixture, BrokenCoresAreDiscardedNotRecycled) {
    LeasePool<FakeCore> pool("sender", PoolLimits{0, 2, 0ms, 1000ms}, factory());
    auto a = pool.acquire();
    ASSERT_TRUE(a.ok());
    a.value().core->broken = true;
    pool.release(std::move(a).value());
    EXPECT_EQ(live, 0);
    EXPECT_EQ(pool.counts().idle, 0u);
    auto b = pool.acquire();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(created, 2);
    pool.release(std::move(b).value());
}

TEST_F(PoolFixture, FactoryFailureFreesTheSlot) {
    LeasePool<FakeCore> pool("sender", PoolLimits{0, 1, 0ms, 1000ms}, factory());
    fail_next = true;
    auto a = pool.acquire();
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.failure().code, ErrorCode::socket_error);
    auto b = pool.acquire();
    EXPECT_TRUE(b.ok());
    pool.release(std::move(b).value());
}

TEST_F(PoolFixture, ReapClosesIdleCoresAboveTheWarmMinimum) {
    LeasePool<FakeCore> pool("sender", PoolLimits{1, 8, 0ms, 50ms}, factory());
    std::vector<LeasePool<FakeCore>::Lease> leases;
    for (int i = 0; i < 3; ++i) leases.push_back(std::move(pool.acquire()).value());
    for (auto& l : leases) pool.release(std::move(l));
    EXPECT_EQ(pool.counts().idle, 3u);
    const auto now = std::chrono::steady_clock::now();
    EXPECT_EQ(pool.reap(now), 0u) << "not idle long enough";
    EXPECT_EQ(pool.reap(now + 60ms), 2u);
    EXPECT_EQ(pool.counts().idle, 1u);
    EXPECT_EQ(live, 1);
}

TEST_F(PoolFixture, CloseRefusesBorrowsAndDestroysReturningCores) {
    LeasePool<FakeCore> pool("sender", PoolLimits{0, 2, 0ms, 1000ms}, factory());
    auto a = pool.acquire();
    auto idle = pool.acquire();
    pool.release(std::move(idle).value());
    pool.close();
    EXPECT_EQ(live, 1) << "idle cores closed at once";
    auto b = pool.acquire();
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.failure().code, ErrorCode::invalid_api_call);
    pool.release(std::move(a).value());
    EXPECT_EQ(live, 0);
}

TEST_F(PoolFixture, ConcurrentBorrowersNeverExceedTheCapAndSlotsStayUnique) {
    constexpr std::size_t kMax = 3;
    LeasePool<FakeCore> pool("sender", PoolLimits{0, kMax, 5'000ms, 1000ms}, factory());
    std::atomic<int> out{0};
    std::atomic<int> peak{0};
    std::atomic<bool> slot_clash{false};
    std::mutex slots_mutex;
    std::set<std::size_t> slots_out;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                auto lease = pool.acquire();
                ASSERT_TRUE(lease.ok()) << lease.failure().message;
                {
                    std::lock_guard lock(slots_mutex);
                    if (!slots_out.insert(lease.value().slot).second) slot_clash = true;
                }
                const int now_out = ++out;
                int prev = peak.load();
                while (now_out > prev && !peak.compare_exchange_weak(prev, now_out)) {
                }
                --out;
                {
                    std::lock_guard lock(slots_mutex);
                    slots_out.erase(lease.value().slot);
                }
                pool.release(std::move(lease).value());
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_LE(peak.load(), static_cast<int>(kMax));
    EXPECT_FALSE(slot_clash);
    EXPECT_LE(live.load(), static_cast<int>(kMax));
}

}  // namespace
