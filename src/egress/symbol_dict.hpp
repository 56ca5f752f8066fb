#pragma once

// The connection-scoped symbol dictionary of an egress connection (D13, D18-D20). Entries are
// stored in fixed blocks that never move, so the string_views handed to batch views stay valid
// while later deltas append. Cleared on CACHE_RESET, QUERY_FLAG_RESET_DICT and reconnect.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "egress/status.hpp"
#include "qwp/wire.hpp"

namespace questdb::egress {

class SymbolDict {
  public:
    /// Reads a delta section (delta_start, delta_count, entries) and appends it. delta_start
    /// above size() is a gap (protocol error); below size() the overlapping strings must be
    /// identical to ours (AMBIG Z15).
    detail::Status apply_delta(qwp::ByteReader& reader);

    void clear() noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] const std::string_view* data() const noexcept { return entries_.data(); }
    [[nodiscard]] std::string_view at(std::size_t id) const noexcept { return entries_[id]; }
    /// Bytes held by the entries (for diagnostics and memory accounting).
    [[nodiscard]] std::size_t heap_bytes() const noexcept { return heap_bytes_; }

  private:
    std::string_view store(std::string_view text);

    static constexpr std::size_t kBlockSize = 64 * 1024;
    std::vector<std::string_view> entries_;
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t block_used_ = kBlockSize;
    std::size_t heap_bytes_ = 0;
};

}  // namespace questdb::egress
