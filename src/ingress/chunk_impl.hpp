#pragma once

// Chunk internals shared by chunk.cpp and the encoder adapter (encode.cpp).

#include <string>
#include <vector>

#include "core/result.hpp"
#include "questdb/ingress/chunk.hpp"
#include "qwp/table_source.hpp"

namespace questdb::ingress {

struct Chunk::Impl {
    std::string table;
    bool rows_locked = false;
    std::size_t rows = 0;
    std::vector<std::string> names;          // parallel to columns
    std::vector<qwp::ColumnSource> columns;  // names are fixed up when viewed
    bool has_designated = false;
    qwp::ColumnSource designated;
    bool server_now = false;
    std::vector<qwp::ColumnSource> view;  // reused by ChunkAccess::table_source
};

struct ChunkAccess {
    /// The chunk as an encoder input (designated timestamp last, named ""). Fails with
    /// invalid_api_call when rows exist but neither a designated timestamp nor at_now() was
    /// set. The view lives until the chunk's next mutation.
    static questdb::detail::Result<qwp::TableSource> table_source(const Chunk& chunk);

    /// Adds a DOUBLE[] column of any dimension count already in wire form (the row store's
    /// blob layout): row i is blob[offsets[i] .. offsets[i+1]) = n_dims u8, n_dims int32 LE
    /// dims, then the elements as float64 LE; a NULL row has an empty range and a clear
    /// validity bit. Borrowed like every Chunk column. For producers that build N-D arrays
    /// themselves (Arrow nested lists). Throws as the public setters do.
    static void add_double_array_blob(Chunk& chunk, std::string_view name,
                                      std::span<const std::int64_t> offsets,
                                      std::span<const std::uint8_t> blob, Validity validity);
};

}  // namespace questdb::ingress
