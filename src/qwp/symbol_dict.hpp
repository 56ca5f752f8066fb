#pragma once

// The sender-scoped global symbol dictionary of QWP's delta symbol mode: strings map to dense
// ids 0, 1, 2, ... in first-use order, and every frame carries only the entries its receiver
// has not seen (the "delta" section).
//
// Ownership: one SymbolDictionary per sender (pool slot). Not thread-safe: the thread that
// encodes frames owns it; the delivery thread reads entries only for catch-up frames and must
// be synchronised by the caller (e.g. snapshot `size()` under the sender's lock, since entries
// below an observed size never change).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes_equal.hpp"
#include "core/result.hpp"

namespace questdb::qwp {

/// 64-bit hash used by the dictionaries (exposed for the Buffer's local dictionaries). Inline:
/// the row API hashes one symbol per SYMBOL value, and a call costs as much as the hash.
/// Whole words only: 8-byte words with a last word overlapping the previous one, shorter
/// strings as one word assembled from overlapping 4-byte or single-byte loads; the length is
/// in the seed, so overlaps cannot make two lengths collide systematically. Not persisted
/// (the dictionaries rehash from their entries), so it may change.
[[nodiscard, gnu::always_inline]] inline std::uint64_t hash_bytes(std::string_view s) noexcept {
    constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t h = 0xcbf29ce484222325ULL ^ n;
    const auto mix = [&h](std::uint64_t w) {
        h = (h ^ w) * kPrime;
        h ^= h >> 29;
    };
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            mix(w);
        }
        std::uint64_t w;
        std::memcpy(&w, p + n - 8, 8);
        mix(w);
    } else if (n >= 4) {
        std::uint32_t lo;
        std::uint32_t hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + n - 4, 4);
        mix(lo | (static_cast<std::uint64_t>(hi) << 32));
    } else if (n != 0) {
        mix(static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
            static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8 |
            static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16);
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

class SymbolDictionary {
  public:
    SymbolDictionary() = default;

    /// The id of `value`, assigning the next id when it is new. Fails with symbol_dict_full
    /// past `max_entries` (default: the protocol's 2,000,000 per connection). Amortised O(1),
    /// no allocation once the tables have grown.
    detail::Result<std::uint32_t> intern(std::string_view value);

    /// The id of `value` if present. Inline (the row API looks up one value per SYMBOL
    /// setter): a probe compares the slot's 32-bit hash tag first and touches the entry's
    /// bytes only on a tag match, so a miss or a collision costs no string compare.
    [[nodiscard, gnu::always_inline]] bool find(std::string_view value,
                                                std::uint32_t& id) const noexcept {
        if (slots_.empty())
            return false;
        const std::uint64_t h = hash_bytes(value);
        const std::uint64_t tag = h >> 32;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const std::uint64_t slot = slots_[i];
            if (slot == 0)
                return false;
            if ((slot >> 32) == tag) {
                const auto index = static_cast<std::uint32_t>(slot) - 1;
                const std::uint64_t begin = offsets_[index];
                if (offsets_[index + 1] - begin == value.size() &&
                    questdb::detail::bytes_equal(bytes_.data() + begin, value.data(),
                                                 value.size())) {
                    id = index;
                    return true;
                }
            }
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return offsets_.size() - 1; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }

    /// The string of id `id` (< size()). Valid until the next intern/rollback/clear.
    [[nodiscard]] std::string_view entry(std::uint32_t id) const noexcept {
        return std::string_view(bytes_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
    }

    /// Arrow-style view: size() + 1 offsets (the first is 0) into bytes(). Valid until the
    /// next intern/rollback/clear.
    [[nodiscard]] const std::uint64_t* offsets() const noexcept { return offsets_.data(); }
    [[nodiscard]] const char* bytes() const noexcept { return bytes_.data(); }

    /// Total UTF-8 bytes of all entries.
    [[nodiscard]] std::size_t byte_size() const noexcept { return bytes_.size(); }

    /// Forgets ids >= `size` (undoes interning of a frame that failed to encode). Never drops
    /// below sent_watermark().
    void rollback(std::size_t size);

    /// Ids below the watermark have already been written into an emitted frame's delta
    /// section (in delta mode the encoder ships [watermark, size) and then advances it).
    /// Frames are delivered in order, so on a fresh connection it is enough to send catch-up
    /// frames for [0, watermark) first (see encode_dictionary_catchup), or to
    /// reset_sent_watermark() so the next encoded frame re-ships everything from id 0.
    [[nodiscard]] std::uint32_t sent_watermark() const noexcept { return sent_watermark_; }
    void set_sent_watermark(std::uint32_t watermark) noexcept { sent_watermark_ = watermark; }
    void reset_sent_watermark() noexcept { sent_watermark_ = 0; }

    void set_max_entries(std::size_t max_entries) noexcept { max_entries_ = max_entries; }
    [[nodiscard]] std::size_t max_entries() const noexcept { return max_entries_; }

    /// Drops every entry and the watermark; keeps capacity.
    void clear() noexcept;

  private:
    [[nodiscard]] std::uint64_t hash_of(std::string_view s) const noexcept;
    void grow_table();
    void insert_slot(std::uint64_t hash, std::uint32_t id) noexcept;

    std::string bytes_;                      // all entries back to back
    std::vector<std::uint64_t> offsets_{0};  // entry i is [offsets_[i], offsets_[i+1])
    std::vector<std::uint64_t> hashes_;      // hash of each entry, for rehashing
    // Open addressing, linear probing: 0 = empty, else (hash >> 32) << 32 | (id + 1). The
    // tag (the hash's high half; its low bits pick the slot) rejects almost every
    // non-matching entry without reading its offsets or bytes.
    std::vector<std::uint64_t> slots_;
    std::uint32_t sent_watermark_ = 0;
    std::size_t max_entries_ = 2'000'000;
};

}  // namespace questdb::qwp
