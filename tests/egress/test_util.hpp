#pragma once

// Helpers for the egress tests: hex vectors, hand-built server frames, and decoding a frame
// through the same calls the protocol engine makes.

#include <cstdint>
#include <string>
#include <vector>

#include "egress/batch_decoder.hpp"
#include "egress/messages.hpp"
#include "qwp/wire.hpp"
#include "support/fixtures.hpp"

namespace questdb::egress::test {

using Frame = std::vector<std::uint8_t>;

inline Frame hex(const std::string& text) {
    return questdb::test::from_hex(text);
}

/// Wraps a payload (starting at msg_kind) in a 12-byte header.
inline Frame with_header(const Frame& payload, std::uint8_t flags = 0, std::uint16_t tables = 0,
                         std::uint8_t version = 1) {
    Frame out;
    qwp::ByteWriter w(out);
    w.le(wire::kMagic);
    w.u8(version);
    w.u8(flags);
    w.le(tables);
    w.le(static_cast<std::uint32_t>(payload.size()));
    w.bytes(payload.data(), payload.size());
    return out;
}

/// Client-side decode of one RESULT_BATCH frame (header + payload).
struct BatchHarness {
    BatchDecoder decoder;
    QuerySchema schema;
    SymbolDict dict;
    bool zstd_allowed = true;
    Frame current;  // views borrow the frame: keep it alive like the cursor does

    detail::Result<const detail::BatchData*> decode(const Frame& input) {
        current = input;
        const Frame& frame = current;
        auto header = wire::decode_header(frame);
        if (!header) {
            return std::move(header).failure();
        }
        auto prelude = parse_batch_prelude(std::span(frame).subspan(wire::kHeaderSize));
        if (!prelude) {
            return std::move(prelude).failure();
        }
        return decoder.decode(header.value().flags, prelude.value(), zstd_allowed, schema, dict);
    }
};

}  // namespace questdb::egress::test
