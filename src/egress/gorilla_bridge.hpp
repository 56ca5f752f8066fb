#pragma once

// Egress use of the shared Gorilla codec (src/qwp/gorilla.*, owned by the QWP codec work):
// decodes `count` delta-of-delta timestamps from the reader into `out`, leaving the reader
// just past the padded bit stream.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "egress/status.hpp"
#include "qwp/wire.hpp"

namespace questdb::egress {

detail::Status gorilla_decode(qwp::ByteReader& reader, std::size_t count, std::int64_t* out);

/// Encodes `values` (count >= 3) as first, second, then the dod bit stream. Returns false when
/// Gorilla cannot represent them (a delta-of-delta beyond 32 bits).
bool gorilla_encode(const std::int64_t* values, std::size_t count, std::vector<std::uint8_t>& out);

}  // namespace questdb::egress
