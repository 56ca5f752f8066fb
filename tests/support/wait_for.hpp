#pragma once

// Waiting on conditions with deadlines: the only way tests synchronise (never bare sleeps).

#include <algorithm>
#include <chrono>
#include <thread>

namespace questdb::test {

/// Polls `condition` until it is true or `timeout` passes; returns its last value.
template <typename Condition>
bool wait_for(Condition&& condition,
              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::microseconds(50);
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return condition();
        }
        std::this_thread::sleep_for(pause);  // back-off between polls, not synchronisation
        pause = std::min(pause * 2, std::chrono::microseconds(5000));
    }
    return true;
}

}  // namespace questdb::test
