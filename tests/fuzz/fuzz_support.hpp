#pragma once

// Shared by the fuzz targets: seed-corpus generation and splitting one input into frames.
//
// Every target writes its own seed corpus when started with QUESTDB_FUZZ_SEED_DIR=<dir> set
// (scripts/fuzz.sh does this into the build tree): frames produced by the library's own
// encoders and the fixtures of ../shared/testdata, so seeds never go stale and nothing is
// copied into the source tree.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/fixtures.hpp"

namespace questdb::fuzz {

using Bytes = std::vector<std::uint8_t>;

/// Collects seeds and writes them as <dir>/<name>.
class SeedWriter {
  public:
    explicit SeedWriter(std::filesystem::path dir) : dir_(std::move(dir)) {
        std::filesystem::create_directories(dir_);
    }
    void add(const std::string& name, std::span<const std::uint8_t> bytes) {
        std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    }
    void add(const std::string& name, std::string_view text) {
        add(name, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                                text.size()));
    }

  private:
    std::filesystem::path dir_;
};

/// A hex fixture from ../shared/testdata (throws when missing: a seed run must not silently
/// lose its compatibility seeds).
inline Bytes fixture(const std::string& relative) {
    return test::from_hex(test::read_text_file(test::testdata_path(relative)));
}

/// Runs `write(SeedWriter&)` and exits when QUESTDB_FUZZ_SEED_DIR is set; call it from
/// LLVMFuzzerInitialize.
template <class Write>
void write_seeds_if_asked(Write&& write) {
    const char* dir = std::getenv("QUESTDB_FUZZ_SEED_DIR");
    if (dir == nullptr || *dir == '\0') {
        return;
    }
    SeedWriter seeds{std::filesystem::path(dir)};
    write(seeds);
    std::exit(0);
}

/// Splits an input into frames, each prefixed by a little-endian u16 length (a length past
/// the end takes the rest). Lets one input drive a sequence of messages.
class FrameSplitter {
  public:
    explicit FrameSplitter(std::span<const std::uint8_t> data) : data_(data) {}
    bool next(std::span<const std::uint8_t>& frame) {
        if (data_.size() < 2) {
            return false;
        }
        std::size_t len = data_[0] | (std::size_t{data_[1]} << 8);
        data_ = data_.subspan(2);
        len = std::min(len, data_.size());
        frame = data_.first(len);
        data_ = data_.subspan(len);
        return true;
    }

  private:
    std::span<const std::uint8_t> data_;
};

/// The inverse of FrameSplitter, for seeds.
inline void append_frame(Bytes& out, std::span<const std::uint8_t> frame) {
    const std::size_t len = std::min<std::size_t>(frame.size(), 0xFFFF);
    out.push_back(static_cast<std::uint8_t>(len & 0xFF));
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.insert(out.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
}

}  // namespace questdb::fuzz
