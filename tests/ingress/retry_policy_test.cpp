#include "ingress/retry_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

namespace {

using namespace std::chrono_literals;
using questdb::ingress::PoisonDetector;
using questdb::ingress::ReconnectBackoff;

// Checklist G10: backoff 100 -> 5000 ms, doubling, capped, 50-100 % jitter. Checked on the
// policy the delivery loop asks, so no test has to wait for a timer.
TEST(ReconnectBackoff, DoublesFromTheInitialStepUpToTheCap) {
    ReconnectBackoff backoff(100ms, 5000ms);
    std::vector<std::chrono::milliseconds> steps;
    for (int i = 0; i < 9; ++i) {
        steps.push_back(backoff.advance());
    }
    const std::vector<std::chrono::milliseconds> expected{100ms,  200ms,  400ms,  800ms, 1600ms,
                                                          3200ms, 5000ms, 5000ms, 5000ms};
    EXPECT_EQ(steps, expected);
}

TEST(ReconnectBackoff, JitterStaysWithinHalfAndAllOfTheStepAndVaries) {
    ReconnectBackoff backoff(100ms, 5000ms);
    std::mt19937_64 rng(42);
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 200; ++i) {
        backoff.reset();
        for (int k = 0; k < 7; ++k) {
            (void)backoff.next_delay(rng);
        }
        delays.push_back(backoff.next_delay(rng));  // at the cap: [2500, 5000]
    }
    for (const auto d : delays) {
        EXPECT_GE(d, 2500ms);
        EXPECT_LE(d, 5000ms);
    }
    EXPECT_NE(*std::min_element(delays.begin(), delays.end()),
              *std::max_element(delays.begin(), delays.end()))
        << "jitter must spread senders that lost the same server";
}

TEST(ReconnectBackoff, AConnectionStartsTheNextFailureFromTheInitialStep) {
    ReconnectBackoff backoff(100ms, 5000ms);
    (void)backoff.advance();
    (void)backoff.advance();
    EXPECT_EQ(backoff.advance(), 400ms);
    backoff.reset();
    EXPECT_EQ(backoff.advance(), 100ms);
}

TEST(ReconnectBackoff, AMaximumBelowTheInitialStepNeverShrinksTheStep) {
    ReconnectBackoff backoff(300ms, 100ms);
    EXPECT_EQ(backoff.advance(), 300ms);
    EXPECT_EQ(backoff.advance(), 300ms);
}

// Checklist G12: poison = the head frame rejected 4 times in a row without ack progress, over
// at least the 5000 ms escalation window. Time points are chosen, not waited for.
TEST(PoisonDetector, NeedsBothTheCountAndTheWindow) {
    const auto t0 = PoisonDetector::Clock::time_point{} + 1h;
    PoisonDetector detector(4, 5000ms);
    EXPECT_FALSE(detector.on_rejection(7, t0));
    EXPECT_FALSE(detector.on_rejection(7, t0 + 10ms));
    EXPECT_FALSE(detector.on_rejection(7, t0 + 20ms));
    EXPECT_FALSE(detector.on_rejection(7, t0 + 30ms)) << "4 fast rejections are not poison yet";
    EXPECT_FALSE(detector.on_rejection(7, t0 + 4999ms));
    EXPECT_TRUE(detector.on_rejection(7, t0 + 5000ms)) << "count reached and window elapsed";
}

TEST(PoisonDetector, ALongWindowWithTooFewRejectionsIsNotPoison) {
    const auto t0 = PoisonDetector::Clock::time_point{} + 1h;
    PoisonDetector detector(4, 5000ms);
    EXPECT_FALSE(detector.on_rejection(7, t0));
    EXPECT_FALSE(detector.on_rejection(7, t0 + 1min));
    EXPECT_FALSE(detector.on_rejection(7, t0 + 2min));
    EXPECT_TRUE(detector.on_rejection(7, t0 + 3min));
}

TEST(PoisonDetector, AnotherFrameOrAckProgressStartsANewStreak) {
    const auto t0 = PoisonDetector::Clock::time_point{} + 1h;
    PoisonDetector detector(4, 5000ms);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(detector.on_rejection(7, t0 + i * 1s));
    }
    EXPECT_FALSE(detector.on_rejection(8, t0 + 10s)) << "a different head frame";
    EXPECT_EQ(detector.streak(), 1u);
    for (int i = 0; i < 2; ++i) {
        EXPECT_FALSE(detector.on_rejection(8, t0 + 11s + i * 1s));
    }
    detector.on_ack_progress();
    EXPECT_EQ(detector.streak(), 0u);
    EXPECT_FALSE(detector.on_rejection(8, t0 + 20s))
        << "after ack progress the window restarts too, not only the count";
    EXPECT_FALSE(detector.on_rejection(8, t0 + 21s));
    EXPECT_FALSE(detector.on_rejection(8, t0 + 22s));
    EXPECT_FALSE(detector.on_rejection(8, t0 + 24s)) << "4 rejections but only 4 s";
    EXPECT_TRUE(detector.on_rejection(8, t0 + 25s));
}

TEST(PoisonDetector, AZeroWindowMakesTheCountAlonePoison) {
    const auto t0 = PoisonDetector::Clock::time_point{} + 1h;
    PoisonDetector detector(2, 0ms);
    EXPECT_FALSE(detector.on_rejection(3, t0));
    EXPECT_TRUE(detector.on_rejection(3, t0));
}

}  // namespace
