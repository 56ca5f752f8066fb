#include "egress/symbol_dict.hpp"

#include <cstring>
#include <string>

namespace questdb::egress {

using detail::fail;
using detail::Status;

void SymbolDict::clear() noexcept {
    entries_.clear();
    blocks_.clear();
    block_used_ = kBlockSize;
    heap_bytes_ = 0;
}

std::string_view SymbolDict::store(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    char* dest = nullptr;
    if (text.size() > kBlockSize / 4) {
        blocks_.push_back(std::make_unique<char[]>(text.size()));
        dest = blocks_.back().get();
        // keep filling the previous shared block: swap the big block below it
        if (blocks_.size() >= 2 && block_used_ < kBlockSize) {
            std::swap(blocks_[blocks_.size() - 1], blocks_[blocks_.size() - 2]);
        }
    } else {
        if (kBlockSize - block_used_ < text.size()) {
            blocks_.push_back(std::make_unique<char[]>(kBlockSize));
            block_used_ = 0;
        }
        dest = blocks_.back().get() + block_used_;
        block_used_ += text.size();
    }
    std::memcpy(dest, text.data(), text.size());
    heap_bytes_ += text.size();
    return {dest, text.size()};
}

Status SymbolDict::apply_delta(qwp::ByteReader& reader) {
    std::uint64_t start = 0;
    std::uint64_t count = 0;
    if (!reader.varint(start) || !reader.varint(count)) {
        return fail(ErrorCode::protocol_error, "truncated delta symbol dictionary header");
    }
    if (start > entries_.size()) {
        return fail(ErrorCode::protocol_error,
                    "symbol dictionary gap: delta_start " + std::to_string(start) +
                        " but the dictionary holds " + std::to_string(entries_.size()));
    }
    // Every entry takes at least one byte (its length varint): bound before reserving.
    if (count > reader.remaining()) {
        return fail(ErrorCode::protocol_error, "delta symbol dictionary announces " +
                                                   std::to_string(count) +
                                                   " entries beyond the frame");
    }
    entries_.reserve(entries_.size() + static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t len = 0;
        std::span<const std::uint8_t> bytes;
        if (!reader.varint(len) || len > reader.remaining() ||
            !reader.bytes(static_cast<std::size_t>(len), bytes)) {
            return fail(ErrorCode::protocol_error,
                        "truncated delta symbol dictionary entry " + std::to_string(start + i));
        }
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        const std::uint64_t id = start + i;
        if (id < entries_.size()) {
            if (entries_[id] != text) {
                return fail(ErrorCode::protocol_error, "delta symbol dictionary redefines id " +
                                                           std::to_string(id) +
                                                           " with a different string");
            }
            continue;
        }
        entries_.push_back(store(text));
    }
    return {};
}

}  // namespace questdb::egress
