#include "egress/gorilla_bridge.hpp"

#include "qwp/gorilla.hpp"

namespace questdb::egress {

detail::Status gorilla_decode(qwp::ByteReader& reader, std::size_t count, std::int64_t* out) {
    const auto used = qwp::gorilla::decode({reader.current(), reader.remaining()}, count, out);
    if (!used || !reader.skip(*used)) {
        return detail::fail(ErrorCode::protocol_error,
                            "truncated or malformed Gorilla timestamp stream");
    }
    return {};
}

bool gorilla_encode(const std::int64_t* values, std::size_t count, std::vector<std::uint8_t>& out) {
    const std::span<const std::int64_t> span(values, count);
    const auto size = qwp::gorilla::encoded_size(span);
    if (!size) {
        return false;
    }
    out.resize(*size);
    out.resize(qwp::gorilla::encode(span, out.data()));
    return true;
}

}  // namespace questdb::egress
