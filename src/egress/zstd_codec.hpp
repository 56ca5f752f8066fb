#pragma once

// zstd for RESULT_BATCH bodies (D21): streaming decompression that never trusts the frame's
// content-size field and stops at an output cap; one-shot compression for the server writer.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "egress/status.hpp"

namespace questdb::egress {

class ZstdDecompressor {
  public:
    explicit ZstdDecompressor(std::size_t max_output_bytes);
    ~ZstdDecompressor();
    ZstdDecompressor(const ZstdDecompressor&) = delete;
    ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

    /// Decompresses all of `input` (one or more zstd frames) into `out` (replaced).
    /// protocol_error on corrupt/truncated data; limit_exceeded past the cap.
    detail::Status decompress(std::span<const std::uint8_t> input, std::vector<std::uint8_t>& out);
    void set_max_output_bytes(std::size_t cap) noexcept { max_output_ = cap; }

  private:
    struct Ctx;
    std::unique_ptr<Ctx> ctx_;
    std::size_t max_output_;
};

/// Compresses `input` at `level` into `out` (replaced). Returns false on a zstd failure.
bool zstd_compress(std::span<const std::uint8_t> input, int level, std::vector<std::uint8_t>& out);

}  // namespace questdb::egress
