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
#include <utility>
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
    SymbolDictionary(const SymbolDictionary&) = default;
    SymbolDictionary& operator=(const SymbolDictionary&) = default;
    // Moves leave the source without a table (mask_ 0), so a moved-from find() reads nothing.
    SymbolDictionary(SymbolDictionary&& other) noexcept
        : bytes_(std::move(other.bytes_)),
          offsets_(std::move(other.offsets_)),
          slots_(std::move(other.slots_)),
          mask_(std::exchange(other.mask_, 0)),
          sent_watermark_(other.sent_watermark_),
          max_entries_(other.max_entries_),
          max_bytes_(other.max_bytes_) {}
    SymbolDictionary& operator=(SymbolDictionary&& other) noexcept {
        bytes_ = std::move(other.bytes_);
        offsets_ = std::move(other.offsets_);
        slots_ = std::move(other.slots_);
        mask_ = std::exchange(other.mask_, 0);
        sent_watermark_ = other.sent_watermark_;
        max_entries_ = other.max_entries_;
        max_bytes_ = other.max_bytes_;
        return *this;
    }
    ~SymbolDictionary() = default;

    /// The id of `value`, assigning the next id when it is new. Fails with symbol_dict_full
    /// past `max_entries` (default: the protocol's 2,000,000 per connection) or past
    /// `max_bytes` of entry text (default and ceiling: 4 GiB - 1, so a slot can hold an
    /// entry's offset in 32 bits). Amortised O(1), no allocation once the tables have grown.
    detail::Result<std::uint32_t> intern(std::string_view value);

    /// find()'s result when the value is absent (ids stay below max_entries).
    static constexpr std::uint32_t kMissing = 0xFFFFFFFFu;

    /// The id of `value` if present. Inline (the row API looks up one value per SYMBOL
    /// setter). A value of at most 8 bytes is its own key: its bytes, loaded as one word
    /// (see short_key), sit in the slot next to the length, so a probe is two compares and
    /// touches no entry bytes. A longer value's slot holds 32 bits of its hash, the entry's
    /// offset and its length, and only a match on hash and length compares the entry's
    /// bytes: two memory reads per lookup (slot, bytes), not three.
    [[nodiscard, gnu::always_inline]] bool find(std::string_view value,
                                                std::uint32_t& id) const noexcept {
        const std::uint32_t found = find_id(value);
        if (found == kMissing)
            return false;
        id = found;
        return true;
    }
    /// find() returning the id or kMissing (nothing leaves registers on the fast path).
    [[nodiscard, gnu::always_inline]] std::uint32_t find_id(std::string_view value) const noexcept {
        return value.size() <= 8 ? find_short(value) : find_long(value);
    }
    /// find_id() for a value of at most 8 bytes (the caller checked): no entry bytes read.
    [[nodiscard, gnu::always_inline]] std::uint32_t find_short(
        std::string_view value) const noexcept {
        if (mask_ == 0)
            return kMissing;  // no table yet
        const std::size_t n = value.size();
        const std::uint64_t key = short_key(value.data(), n);
        const Slot* slots = slots_.data();
        for (std::size_t i = short_hash(key) & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots[i];
            if (s.id1 == 0)
                return kMissing;
            if (s.key == key && s.len == static_cast<std::uint32_t>(n))
                return s.id1 - 1;
        }
    }
    /// find_id() for a value of more than 8 bytes (the caller checked).
    [[nodiscard, gnu::always_inline]] std::uint32_t find_long(
        std::string_view value) const noexcept {
        if (mask_ == 0 || value.size() > kMaxBytes)
            return kMissing;  // no table yet, or too long to be an entry (or a slot's len)
        const std::uint64_t h = hash_bytes(value);
        const auto tag = static_cast<std::uint32_t>(h >> 32);
        const auto len = static_cast<std::uint32_t>(value.size());
        const Slot* slots = slots_.data();
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots[i];
            if (s.id1 == 0)
                return kMissing;
            if (static_cast<std::uint32_t>(s.key) == tag && s.len == len &&
                questdb::detail::bytes_equal(bytes_.data() + (s.key >> 32), value.data(),
                                             value.size())) [[likely]]
                return s.id1 - 1;
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

    /// Forgets the newest entry (there must be one, above sent_watermark()) in O(1): the
    /// newest key was placed last, so no other key's probe sequence runs through its slot
    /// and emptying that slot is an exact delete.
    void pop_back() noexcept;

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
    /// Caps the total entry text (clamped to kMaxBytes).
    void set_max_bytes(std::size_t max_bytes) noexcept {
        max_bytes_ = max_bytes < kMaxBytes ? max_bytes : kMaxBytes;
    }
    [[nodiscard]] std::size_t max_bytes() const noexcept { return max_bytes_; }
    /// The ceiling of max_bytes(): every entry offset fits a slot's 32 bits.
    static constexpr std::size_t kMaxBytes = 0xFFFFFFFFu;

    /// Drops every entry and the watermark; keeps capacity.
    void clear() noexcept;

  private:
    // Open addressing, linear probing. id1 == 0: empty, else the entry's id + 1. `len` is the
    // value's length. `key` is short_key() of a value of at most 8 bytes, else the entry's
    // byte offset in the high half and the high half of its hash_bytes() in the low half (the
    // low bits of the hash pick the slot, so the high ones filter better).
    struct Slot {
        std::uint64_t key;
        std::uint32_t len;
        std::uint32_t id1;
    };

    /// The bytes of a value of at most 8 bytes as one word, read without a byte loop and
    /// never outside the value: 4..8 bytes as two overlapping 4-byte loads, 1..3 as first,
    /// middle and last byte. For a given length the word determines the bytes (every byte
    /// is in it), so equal (key, length) means equal values.
    [[nodiscard, gnu::always_inline]] static std::uint64_t short_key(const char* p,
                                                                     std::size_t n) noexcept {
        if (n >= 4) {
            std::uint32_t lo;
            std::uint32_t hi;
            std::memcpy(&lo, p, 4);
            std::memcpy(&hi, p + n - 4, 4);
            return lo | (static_cast<std::uint64_t>(hi) << 32);
        }
        if (n == 0)
            return 0;
        return static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
               static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8 |
               static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16;
    }
    /// Slot hash of a short value: the two halves of a 64x64 -> 128-bit product of the key
    /// (offset) and an odd constant, xored. Every key bit reaches the low bits that pick the
    /// slot, also for keys that differ only in their high half or whose halves are equal
    /// (a 4-byte value is its 4 bytes twice), which a fold-then-multiply hash clusters.
    /// The length is left out: values whose keys are equal but lengths differ ("A",
    /// "AAA") are rare and still told apart by the slot's length.
    [[nodiscard, gnu::always_inline]] static std::uint64_t short_hash(std::uint64_t key) noexcept {
        __extension__ using U128 = unsigned __int128;
        const U128 p = static_cast<U128>(key ^ 0xa0761d6478bd642fULL) * 0xe7037ed1a0b428dbULL;
        return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
    }
    [[nodiscard]] static std::uint64_t slot_hash(std::string_view s) noexcept {
        return s.size() <= 8 ? short_hash(short_key(s.data(), s.size())) : hash_bytes(s);
    }
    void grow_table();
    void insert_slot(std::string_view value, std::uint32_t id) noexcept;
    void rebuild_slots() noexcept;

    std::string bytes_;                      // all entries back to back
    std::vector<std::uint64_t> offsets_{0};  // entry i is [offsets_[i], offsets_[i+1])
    std::vector<Slot> slots_;                // power-of-two size, at most half full
    std::size_t mask_ = 0;                   // slots_.size() - 1, 0 while there is no table
    std::uint32_t sent_watermark_ = 0;
    std::size_t max_entries_ = 2'000'000;
    std::size_t max_bytes_ = kMaxBytes;
};

}  // namespace questdb::qwp
