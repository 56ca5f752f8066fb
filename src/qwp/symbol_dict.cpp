#include "qwp/symbol_dict.hpp"

#include <algorithm>
#include <cstring>

namespace questdb::qwp {

std::uint64_t SymbolDictionary::hash_of(std::string_view s) const noexcept {
    return hash_bytes(s);
}

void SymbolDictionary::insert_slot(std::uint64_t hash, std::uint32_t id) noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    while (slots_[i] != 0)
        i = (i + 1) & mask;
    slots_[i] = ((hash >> 32) << 32) | (static_cast<std::uint64_t>(id) + 1);
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
