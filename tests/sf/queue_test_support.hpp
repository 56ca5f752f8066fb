#pragma once

// Helpers shared by the store-and-forward queue tests: numbered frames and temp directories.

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "sf/frame_queue.hpp"

namespace questdb::sf::test {

/// A frame whose bytes encode `n` (8 bytes little-endian) followed by `size - 8` bytes derived
/// from `n`, so content and order can both be checked.
inline std::vector<std::uint8_t> numbered_frame(std::uint64_t n, std::size_t size = 64) {
    // byte i = (n * 31 + i) mod 256: a ramp, copied from a table so big frames are cheap.
    static const auto ramp = [] {
        std::array<std::uint8_t, 512> r{};
        for (std::size_t j = 0; j < r.size(); ++j) {
            r[j] = static_cast<std::uint8_t>(j);
        }
        return r;
    }();
    std::vector<std::uint8_t> out(std::max<std::size_t>(size, 8));
    std::memcpy(out.data(), &n, 8);
    for (std::size_t i = 8; i < out.size();) {
        const std::size_t start = static_cast<std::uint8_t>(n * 31 + i);
        const std::size_t len = std::min<std::size_t>(256, out.size() - i);
        std::memcpy(out.data() + i, ramp.data() + start, len);
        i += len;
    }
    return out;
}

/// The number a numbered_frame carries, or UINT64_MAX when its content is not intact.
inline std::uint64_t frame_number(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 8) {
        return UINT64_MAX;
    }
    std::uint64_t n;
    std::memcpy(&n, bytes.data(), 8);
    for (std::size_t i = 8; i < bytes.size(); ++i) {
        if (bytes[i] != static_cast<std::uint8_t>(n * 31 + i)) {
            return UINT64_MAX;
        }
    }
    return n;
}

inline Deadline in_ms(int ms) {
    return Clock::now() + std::chrono::milliseconds(ms);
}

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "questdb-sf-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// Every frame a fresh cursor returns.
inline std::vector<std::vector<std::uint8_t>> drain_cursor(
    FrameQueue& queue, std::vector<std::int64_t>* fsns = nullptr) {
    std::vector<std::vector<std::uint8_t>> out;
    auto cursor = queue.cursor();
    FrameView view;
    while (cursor.next(view)) {
        out.emplace_back(view.bytes.begin(), view.bytes.end());
        if (fsns != nullptr) {
            fsns->push_back(view.fsn);
        }
    }
    return out;
}

}  // namespace questdb::sf::test
