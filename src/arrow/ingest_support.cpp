#include "arrow/ingest_support.hpp"

#include <charconv>

namespace questdb::arrow::detail {

std::optional<std::int32_t> parse_int(std::string_view s) {
    std::int32_t v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc{} || p != end) {
        return std::nullopt;
    }
    return v;
}

std::span<const std::uint8_t> aligned_bits(const std::uint8_t* bits, std::size_t first,
                                           std::size_t count, std::vector<std::uint8_t>& scratch) {
    const std::size_t bytes = (count + 7) / 8;
    if (first % 8 == 0) {
        return {bits + first / 8, bytes};
    }
    scratch.assign(bytes, 0);
    for (std::size_t i = 0; i < count; ++i) {
        if (bit_at(bits, first + i)) {
            scratch[i >> 3] = static_cast<std::uint8_t>(scratch[i >> 3] | (1u << (i & 7)));
        }
    }
    return scratch;
}

}  // namespace questdb::arrow::detail
