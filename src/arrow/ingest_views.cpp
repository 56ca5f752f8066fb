// utf8_view ("vu") and binary_view ("vz") as VARCHAR, BINARY or SYMBOL.
//
// A view column has no contiguous bytes: each row is a 16-byte view holding either the value
// itself (up to 12 bytes) or a prefix, a variadic buffer index and an offset. The Chunk
// wants offsets + bytes, so the values of a slice are gathered into the column's scratch
// (c.i64 offsets, c.bytes), sized once per slice. Every view is checked against the buffer
// it points into before a byte is read, because the producer's views are untrusted input.

#include <cstring>

#include "arrow/ingest_support.hpp"
#include "qwp/utf8.hpp"

namespace questdb::arrow::detail {
namespace {

constexpr std::size_t kViewSize = 16;
constexpr std::int32_t kMaxInline = 12;

/// The variadic data buffers of a view array and their sizes (the last buffer).
struct ViewBuffers {
    const std::uint8_t* views = nullptr;
    const void* const* data = nullptr;    // variadic buffers
    const std::uint8_t* sizes = nullptr;  // int64 per variadic buffer, possibly unaligned
    std::int64_t count = 0;

    [[nodiscard]] std::int64_t size_of(std::int64_t index) const {
        std::int64_t size = 0;
        std::memcpy(&size, sizes + index * 8, 8);
        return size;
    }
};

ViewBuffers view_buffers(const ColumnPlan& c, const Slice& s) {
    const ArrowArray& a = *c.array;
    // validity, views, the variadic buffers, then their sizes.
    if (a.n_buffers < 3 || a.buffers == nullptr) {
        fail_ingest("a view array needs at least 3 buffers (validity, views, sizes), " + where(c) +
                    " has " + std::to_string(a.n_buffers));
    }
    ViewBuffers b;
    b.views = static_cast<const std::uint8_t*>(a.buffers[1]);
    b.count = a.n_buffers - 3;
    b.data = a.buffers + 2;
    b.sizes = static_cast<const std::uint8_t*>(a.buffers[a.n_buffers - 1]);
    if (b.views == nullptr && s.count > 0) {
        fail_ingest("views buffer missing in " + where(c));
    }
    if (b.sizes == nullptr && b.count > 0) {
        fail_ingest("variadic buffer sizes missing in " + where(c));
    }
    for (std::int64_t i = 0; i < b.count; ++i) {
        const auto size = b.size_of(i);
        if (size < 0 || (size > 0 && b.data[i] == nullptr)) {
            fail_ingest("variadic buffer " + std::to_string(i) + " of " + where(c) +
                        " is missing or has a negative size");
        }
    }
    return b;
}

[[noreturn]] void fail_view(const ColumnPlan& c, std::size_t row, const std::string& what) {
    fail_ingest("invalid view in " + where(c) + " at row " + std::to_string(row) + ": " + what);
}

/// The bytes of one view, checked against the buffer it points into.
std::span<const std::uint8_t> view_bytes(const ColumnPlan& c, const ViewBuffers& b,
                                         std::size_t index, std::size_t row) {
    const std::uint8_t* view = b.views + index * kViewSize;
    std::int32_t length = 0;
    std::memcpy(&length, view, 4);
    if (length < 0) {
        fail_view(c, row, "negative length " + std::to_string(length));
    }
    if (length <= kMaxInline) {
        return {view + 4, static_cast<std::size_t>(length)};
    }
    std::int32_t buffer_index = 0;
    std::int32_t offset = 0;
    std::memcpy(&buffer_index, view + 8, 4);
    std::memcpy(&offset, view + 12, 4);
    if (buffer_index < 0 || buffer_index >= b.count) {
        fail_view(c, row,
                  "buffer index " + std::to_string(buffer_index) + " outside the " +
                      std::to_string(b.count) + " data buffers");
    }
    const auto size = b.size_of(buffer_index);
    if (offset < 0 || std::int64_t{offset} + length > size) {
        fail_view(c, row,
                  "bytes [" + std::to_string(offset) + ", " +
                      std::to_string(std::int64_t{offset} + length) + ") outside data buffer " +
                      std::to_string(buffer_index) + " of " + std::to_string(size) + " bytes");
    }
    const auto* data = static_cast<const std::uint8_t*>(b.data[buffer_index]);
    return {data + offset, static_cast<std::size_t>(length)};
}

// Validates every present row (bounds, UTF-8 for text) and returns the total byte count.
std::size_t check_views(const ColumnPlan& c, const ViewBuffers& b, const Slice& s, Validity v) {
    const bool text = c.physical == Physical::utf8_view;
    const auto first_row = s.first - static_cast<std::size_t>(c.array->offset);
    std::size_t total = 0;
    for (std::size_t i = 0; i < s.count; ++i) {
        if (!present(v, i))
            continue;
        const auto bytes = view_bytes(c, b, s.first + i, first_row + i);
        if (text && !qwp::is_valid_utf8(bytes.data(), bytes.size())) {
            throw Error(ErrorCode::invalid_utf8, "string data is not valid UTF-8 in " + where(c) +
                                                     " at row " + std::to_string(first_row + i));
        }
        total += bytes.size();
    }
    return total;
}

}  // namespace

void add_string_views(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    const auto b = view_buffers(c, s);
    const auto total = check_views(c, b, s, v);
    c.bytes.resize(total);
    c.i64.resize(s.count + 1);
    c.i64[0] = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < s.count; ++i) {
        if (present(v, i)) {
            // Checked by check_views; the row number is not needed again.
            const auto bytes = view_bytes(c, b, s.first + i, 0);
            if (!bytes.empty())
                std::memcpy(c.bytes.data() + at, bytes.data(), bytes.size());
            at += bytes.size();
        }
        c.i64[i + 1] = static_cast<std::int64_t>(at);
    }
    if (c.target == Target::binary) {
        chunk.column_binary_large(c.name, c.i64, c.bytes, v);
    } else if (c.target == Target::symbol) {
        // Every row is its own dictionary entry: the encoder interns entries by text.
        c.i32.resize(s.count);
        for (std::size_t i = 0; i < s.count; ++i)
            c.i32[i] = static_cast<std::int32_t>(i);
        chunk.symbol_dict_large_i32(c.name, c.i32, c.i64, c.bytes, v);
    } else {
        chunk.column_varchar_large(c.name, c.i64, c.bytes, v);
    }
}

}  // namespace questdb::arrow::detail
