#pragma once

/// @file
/// Arrow interop through the Arrow C Data Interface, without linking any Arrow library.
///
/// The three structs below are the ABI-stable C Data Interface structs exactly as the Arrow
/// specification defines them (https://arrow.apache.org/docs/format/CDataInterface.html and
/// CStreamInterface.html). They are guarded by the standard `ARROW_C_DATA_INTERFACE` and
/// `ARROW_C_STREAM_INTERFACE` macros, so this header coexists with `arrow/c/abi.h`, nanoarrow
/// or any other copy in the same translation unit, in either include order.
///
/// Entry points (declared where they belong):
/// - ingest: `QuestDb::flush_arrow_batch(table, schema, array, ts_column, overrides, ack,
///   options)` in questdb/db.hpp;
/// - read: `egress::Cursor::next_arrow_batch`, `fetch_all_arrow`, `as_arrow_stream` in
///   questdb/egress/reader.hpp.
///
/// Ownership (the interface's rules): a struct whose `release` is non-null owns its memory
/// and the consumer must call `release` exactly once (it frees only that struct's own
/// allocations, children and dictionary included, and sets `release` to null). A moved
/// struct is copied bitwise and the source's `release` set to null. Structs the library
/// *reads* (ingest) are only borrowed: it never calls their `release`.
/// See docs/ARROW.md for the type mapping.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "questdb/export.hpp"

extern "C" {

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    // Array type description
    const char* format;
    const char* name;
    const char* metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema** children;
    struct ArrowSchema* dictionary;

    // Release callback
    void (*release)(struct ArrowSchema*);
    // Opaque producer-specific data
    void* private_data;
};

struct ArrowArray {
    // Array data description
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void** buffers;
    struct ArrowArray** children;
    struct ArrowArray* dictionary;

    // Release callback
    void (*release)(struct ArrowArray*);
    // Opaque producer-specific data
    void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    // Callbacks providing stream functionality
    int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
    int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
    const char* (*get_last_error)(struct ArrowArrayStream*);

    // Release callback
    void (*release)(struct ArrowArrayStream*);

    // Opaque producer-specific data
    void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE

}  // extern "C"

namespace questdb::arrow {

/// How an override remaps one Arrow column on ingest (the Arrow type alone would pick
/// another QuestDB type).
enum class OverrideKind : std::uint8_t {
    symbol,      ///< utf8 / large_utf8 -> SYMBOL (instead of VARCHAR)
    not_symbol,  ///< dictionary<int, utf8> -> VARCHAR (instead of SYMBOL)
    ipv4,        ///< uint32 -> IPV4 (instead of LONG)
    char_,       ///< uint16 -> CHAR (instead of INT)
    byte,        ///< int8 -> BYTE (instead of INT; a NULL becomes 0)
    short_,      ///< int16 -> SHORT (instead of INT; a NULL becomes 0)
    int_,        ///< int32 -> INT (instead of LONG; INT_MIN then reads back as NULL)
    geohash,     ///< int8/16/32/64 -> GEOHASH(geohash_bits)
};

/// A per-column override of the default Arrow -> QuestDB type mapping. `column` is borrowed
/// for the duration of the call it is passed to.
struct ColumnOverride {
    std::string_view column;
    OverrideKind kind = OverrideKind::symbol;
    std::uint8_t geohash_bits = 0;  ///< 1..60, only for OverrideKind::geohash

    static ColumnOverride symbol(std::string_view c) noexcept { return {c, OverrideKind::symbol}; }
    static ColumnOverride not_symbol(std::string_view c) noexcept {
        return {c, OverrideKind::not_symbol};
    }
    static ColumnOverride ipv4(std::string_view c) noexcept { return {c, OverrideKind::ipv4}; }
    static ColumnOverride char_(std::string_view c) noexcept { return {c, OverrideKind::char_}; }
    static ColumnOverride byte(std::string_view c) noexcept { return {c, OverrideKind::byte}; }
    static ColumnOverride short_(std::string_view c) noexcept { return {c, OverrideKind::short_}; }
    static ColumnOverride int_(std::string_view c) noexcept { return {c, OverrideKind::int_}; }
    static ColumnOverride geohash(std::string_view c, std::uint8_t bits) noexcept {
        return {c, OverrideKind::geohash, bits};
    }
};

/// Tuning of QuestDb::flush_arrow_batch.
struct IngestOptions {
    /// Rows per QWP message; a larger batch is sliced and sent as several messages, each
    /// committed on its own (so a failure can leave earlier slices committed). 0 = 100'000.
    std::size_t max_rows = 0;
    /// No-progress bound on waiting for the acknowledgement, in milliseconds; 0 = the pool's
    /// `request_timeout`.
    std::uint32_t ack_timeout_ms = 0;
};

/// Calls `schema->release` when set (it then is null). Null pointers are fine. Never throws.
inline void release(ArrowSchema* schema) noexcept {
    if (schema != nullptr && schema->release != nullptr) {
        schema->release(schema);
    }
}
/// Calls `array->release` when set. Null pointers are fine. Never throws.
inline void release(ArrowArray* array) noexcept {
    if (array != nullptr && array->release != nullptr) {
        array->release(array);
    }
}
/// Calls `stream->release` when set. Null pointers are fine. Never throws.
inline void release(ArrowArrayStream* stream) noexcept {
    if (stream != nullptr && stream->release != nullptr) {
        stream->release(stream);
    }
}

}  // namespace questdb::arrow
