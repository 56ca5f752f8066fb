#include "qwp/symbol_dict.hpp"

#include <algorithm>
#include <cstring>

namespace questdb::qwp {

void SymbolDictionary::insert_slot(std::string_view value, std::uint32_t id) noexcept {
    const std::uint64_t h = slot_hash(value);
    std::size_t i = h & mask_;
    while (slots_[i].id1 != 0)
        i = (i + 1) & mask_;
    // A long entry's offset fits 32 bits: intern() keeps the text within kMaxBytes.
    const std::uint64_t key =
        value.size() <= 8 ? short_key(value.data(), value.size()) : offsets_[id] << 32 | h >> 32;
    slots_[i] = Slot{key, static_cast<std::uint32_t>(value.size()), id + 1};
}

void SymbolDictionary::rebuild_slots() noexcept {
    std::fill(slots_.begin(), slots_.end(), Slot{0, 0, 0});
    for (std::uint32_t id = 0; id < size(); ++id)
        insert_slot(entry(id), id);
}

void SymbolDictionary::grow_table() {
    const std::size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
    slots_.assign(capacity, Slot{0, 0, 0});
    mask_ = capacity - 1;
    rebuild_slots();
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
    if (bytes_.size() > max_bytes_ || value.size() > max_bytes_ - bytes_.size()) {
        return detail::fail(ErrorCode::symbol_dict_full,
                            "symbol dictionary is full (" + std::to_string(bytes_.size()) +
                                " bytes of entries; a value of " + std::to_string(value.size()) +
                                " bytes would pass the limit of " + std::to_string(max_bytes_) +
                                ")");
    }
    if ((size() + 1) * 2 > slots_.size())
        grow_table();
    id = static_cast<std::uint32_t>(size());
    bytes_.append(value);
    offsets_.push_back(bytes_.size());
    insert_slot(value, id);
    return id;
}

void SymbolDictionary::pop_back() noexcept {
    const auto last = static_cast<std::uint32_t>(size() - 1);
    const std::string_view value = entry(last);
    std::size_t i = slot_hash(value) & mask_;
    while (slots_[i].id1 != last + 1)
        i = (i + 1) & mask_;
    slots_[i] = Slot{0, 0, 0};
    bytes_.resize(offsets_[last]);
    offsets_.pop_back();
}

void SymbolDictionary::rollback(std::size_t keep) {
    if (keep < sent_watermark_)
        keep = sent_watermark_;
    if (keep >= size())
        return;
    bytes_.resize(offsets_[keep]);
    offsets_.resize(keep + 1);
    rebuild_slots();
}

void SymbolDictionary::clear() noexcept {
    bytes_.clear();
    offsets_.assign(1, 0);
    std::fill(slots_.begin(), slots_.end(), Slot{0, 0, 0});
    sent_watermark_ = 0;
}

}  // namespace questdb::qwp
