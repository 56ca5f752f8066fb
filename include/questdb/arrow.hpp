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
/// Guard shared with every other copy of the Arrow C Data Interface declarations (Arrow C++,
/// nanoarrow, ...), so whichever header comes first declares the structs.
#define ARROW_C_DATA_INTERFACE

/// ArrowSchema::flags bit: the dictionary's values are ordered.
#define ARROW_FLAG_DICTIONARY_ORDERED 1
/// ArrowSchema::flags bit: the field may hold NULLs.
#define ARROW_FLAG_NULLABLE 2
/// ArrowSchema::flags bit: the map's keys are sorted.
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/// The type of an array (Arrow C Data Interface, ABI-stable). Owned by its producer until
/// `release` is called; a released struct has `release == nullptr`.
struct ArrowSchema {
    const char* format;               ///< Type format string ("l" int64, "u" utf8, ...).
    const char* name;                 ///< Field name (UTF-8), may be null.
    const char* metadata;             ///< Binary-encoded key/value metadata, may be null.
    int64_t flags;                    ///< ARROW_FLAG_* bits.
    int64_t n_children;               ///< Number of child types.
    struct ArrowSchema** children;    ///< Child types (struct fields, list element).
    struct ArrowSchema* dictionary;   ///< Value type of a dictionary-encoded array, or null.
    void (*release)(struct ArrowSchema*);  ///< Frees the producer's data; null once released.
    void* private_data;               ///< Producer-private.
};

/// The data of an array (Arrow C Data Interface, ABI-stable). Same ownership rule as
/// ArrowSchema: call `release` exactly once.
struct ArrowArray {
    int64_t length;                   ///< Number of logical elements.
    int64_t null_count;               ///< NULL count, or -1 when not computed.
    int64_t offset;                   ///< Logical offset into the buffers (slicing).
    int64_t n_buffers;                ///< Number of buffers (by type: validity, offsets, data).
    int64_t n_children;               ///< Number of child arrays.
    const void** buffers;             ///< The buffers; a null validity buffer means no NULLs.
    struct ArrowArray** children;     ///< Child arrays.
    struct ArrowArray* dictionary;    ///< Dictionary values of a dictionary-encoded array.
    void (*release)(struct ArrowArray*);  ///< Frees the producer's data; null once released.
    void* private_data;               ///< Producer-private.
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
/// Guard shared with other copies of the Arrow C Stream Interface declarations.
#define ARROW_C_STREAM_INTERFACE

/// A stream of record batches sharing one schema (Arrow C Stream Interface). Callbacks
/// return 0 or an errno value; get_next yields a released ArrowArray at the end.
struct ArrowArrayStream {
    /// Writes the stream's schema to `out` (the caller releases it).
    int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
    /// Writes the next batch to `out` (the caller releases it).
    int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
    /// The last error's description, valid until the next call, or null.
    const char* (*get_last_error)(struct ArrowArrayStream*);
    void (*release)(struct ArrowArrayStream*);  ///< Frees the stream; null once released.
    void* private_data;                          ///< Producer-private.
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
    std::string_view column;                   ///< The Arrow field name it applies to.
    OverrideKind kind = OverrideKind::symbol;  ///< The QuestDB type to write instead.
    std::uint8_t geohash_bits = 0;  ///< 1..60, only for OverrideKind::geohash

    /// `c` as SYMBOL (from utf8 / large_utf8).
    static ColumnOverride symbol(std::string_view c) noexcept { return {c, OverrideKind::symbol}; }
    /// `c` as VARCHAR (from a dictionary of strings).
    static ColumnOverride not_symbol(std::string_view c) noexcept {
        return {c, OverrideKind::not_symbol};
    }
    /// `c` as IPV4 (from uint32).
    static ColumnOverride ipv4(std::string_view c) noexcept { return {c, OverrideKind::ipv4}; }
    /// `c` as CHAR (from uint16).
    static ColumnOverride char_(std::string_view c) noexcept { return {c, OverrideKind::char_}; }
    /// `c` as BYTE (from int8).
    static ColumnOverride byte(std::string_view c) noexcept { return {c, OverrideKind::byte}; }
    /// `c` as SHORT (from int16).
    static ColumnOverride short_(std::string_view c) noexcept { return {c, OverrideKind::short_}; }
    /// `c` as INT (from int32).
    static ColumnOverride int_(std::string_view c) noexcept { return {c, OverrideKind::int_}; }
    /// `c` as GEOHASH of `bits` precision (from an integer column).
    static ColumnOverride geohash(std::string_view c, std::uint8_t bits) noexcept {
        return {c, OverrideKind::geohash, bits};
    }
};

/// Tuning of QuestDb::flush_arrow_batch.
struct IngestOptions {
    /// Rows per QWP message; a larger batch is sliced and sent as several messages, all but
    /// the last with FLAG_DEFER_COMMIT, so the server still commits the batch as one group
    /// (a single message may also be split further to fit the server's frame cap). Bounds the
    /// memory of one message. 0 = 100'000.
    std::size_t max_rows = 0;
    /// Bound on each wait for a server answer (no-progress timeout), in milliseconds; 0 = the
    /// pool's `request_timeout`. When it passes, the connection is closed and the call throws
    /// failover_retry (in doubt once the committing message was written).
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
