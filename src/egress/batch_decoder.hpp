#pragma once

// Strict decoder of RESULT_BATCH frames (checklist D1-D22, H5). Produces detail::BatchData
// whose pointers borrow the frame (or this decoder's scratch buffers); never reads past the
// frame and rejects anything malformed with ErrorCode::protocol_error.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "egress/messages.hpp"
#include "egress/status.hpp"
#include "egress/symbol_dict.hpp"
#include "egress/zstd_codec.hpp"
#include "questdb/egress/batch.hpp"

namespace questdb::egress {

/// The schema of one query, sent once in batch 0 and kept for the whole result.
struct QuerySchema {
    struct Column {
        std::string name;
        ColumnKind kind;
    };
    std::vector<Column> columns;
    bool known = false;
    void clear() noexcept {
        columns.clear();
        known = false;
    }
};

/// msg_kind, request_id and batch_seq: never compressed, read before anything else (D1).
struct BatchPrelude {
    std::int64_t request_id = 0;
    std::uint64_t batch_seq = 0;
    std::span<const std::uint8_t> body;  ///< the (possibly compressed) rest of the payload
};

/// Parses the prelude of a RESULT_BATCH payload (starting at msg_kind).
detail::Result<BatchPrelude> parse_batch_prelude(std::span<const std::uint8_t> payload);

class BatchDecoder {
  public:
    explicit BatchDecoder(std::size_t max_decompressed_bytes = wire::kDefaultMaxDecompressedBytes);

    /// Decodes one batch. `flags` is the header flags byte; `zstd_allowed` is whether zstd was
    /// negotiated. Applies the delta dictionary to `dict` and, for batch_seq 0, fills `schema`.
    /// The returned pointer is valid until the next decode() call or until the frame is freed.
    detail::Result<const detail::BatchData*> decode(std::uint8_t flags, const BatchPrelude& prelude,
                                                    bool zstd_allowed, QuerySchema& schema,
                                                    SymbolDict& dict);

    /// Bytes held in scratch buffers (decompression output and per-column side arrays).
    [[nodiscard]] std::size_t scratch_bytes() const noexcept;

  private:
    struct Scratch {
        std::vector<std::uint32_t> dense;
        std::vector<std::uint32_t> ids;
        std::vector<std::int64_t> times;
        std::vector<std::uint32_t> array_starts;
    };

    detail::Status decode_schema(qwp::ByteReader& r, QuerySchema& schema);
    detail::Status decode_column(qwp::ByteReader& r, std::uint8_t flags, std::uint32_t rows,
                                 const QuerySchema::Column& def, const SymbolDict& dict,
                                 Scratch& scratch, detail::ColumnData& out);
    detail::Status decode_nulls(qwp::ByteReader& r, std::uint32_t rows, Scratch& scratch,
                                detail::ColumnData& out);

    ZstdDecompressor zstd_;
    std::vector<std::uint8_t> plain_;
    std::vector<Scratch> scratch_;
    std::vector<detail::ColumnData> columns_;
    detail::BatchData batch_;
};

}  // namespace questdb::egress
