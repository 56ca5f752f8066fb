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
};

}  // namespace questdb::ingress
