#include "qwp/symbol_dict.hpp"

#include <algorithm>
#include <cstring>

namespace questdb::qwp {

std::uint64_t hash_bytes(std::string_view s) noexcept {
    // FNV-1a over 8-byte words then a final mix: fast for short symbols, good enough spread.
    std::uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < s.size(); ++i) {
        h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

std::uint64_t SymbolDictionary::hash_of(std::string_view s) const noexcept {
    return hash_bytes(s);
}

namespace {

// Equality of two equally long strings without a libc call: symbols are short, and a memcmp
// call costs more than the comparison itself.
bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x;
        std::uint64_t y;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        if (x != y)
            return false;
    }
    for (; i < n; ++i) {
        if (a[i] != b[i])
            return false;
    }
    return true;
}

}  // namespace

bool SymbolDictionary::find(std::string_view value, std::uint32_t& id) const noexcept {
    if (slots_.empty())
        return false;
    const std::uint64_t h = hash_of(value);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const std::uint32_t slot = slots_[i];
        if (slot == 0)
            return false;
        const std::uint64_t begin = offsets_[slot - 1];
        if (hashes_[slot - 1] == h && offsets_[slot] - begin == value.size() &&
            same_bytes(bytes_.data() + begin, value.data(), value.size())) {
            id = slot - 1;
            return true;
        }
    }
}

void SymbolDictionary::insert_slot(std::uint64_t hash, std::uint32_t id) noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    while (slots_[i] != 0)
        i = (i + 1) & mask;
    slots_[i] = id + 1;
}

void SymbolDictionary::grow_table() {
    const std::size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
    slots_.assign(capacity, 0);
    for (std::uint32_t id = 0; id < size(); ++id)
        insert_slot(hashes_[id], id);
}

detail::Result<std::uint32_t> SymbolDictionary::intern(std::string_view value) {
    std::uint32_t id;
    if (find(value, id))
        return id;
    if (size() >= max_entries_) {
        return detail::fail(
            ErrorCode::symbol_dict_full,
            "symbol dictionary is full (" + std::to_string(max_entries_) + " entries)");
    }
    if ((size() + 1) * 2 > slots_.size())
        grow_table();
    id = static_cast<std::uint32_t>(size());
    const std::uint64_t h = hash_of(value);
    bytes_.append(value);
    offsets_.push_back(bytes_.size());
    hashes_.push_back(h);
    insert_slot(h, id);
    return id;
}

void SymbolDictionary::rollback(std::size_t keep) {
    if (keep < sent_watermark_)
        keep = sent_watermark_;
    if (keep >= size())
        return;
    bytes_.resize(offsets_[keep]);
    offsets_.resize(keep + 1);
    hashes_.resize(keep);
    std::fill(slots_.begin(), slots_.end(), 0);
    for (std::uint32_t id = 0; id < size(); ++id)
        insert_slot(hashes_[id], id);
}

void SymbolDictionary::clear() noexcept {
    bytes_.clear();
    offsets_.assign(1, 0);
    hashes_.clear();
    std::fill(slots_.begin(), slots_.end(), 0);
    sent_watermark_ = 0;
}

}  // namespace questdb::qwp
