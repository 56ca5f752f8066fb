#pragma once

// Bind parameter blocks of a QUERY_REQUEST (checklist C1-C11): type_code, null_flag, then the
// value encoded as a one-row column. A NULL of any type is exactly `<type> 01 01`; time binds
// carry no encoding byte (AMBIG Z1, see docs/QUERY.md).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "egress/status.hpp"
#include "questdb/egress/types.hpp"

namespace questdb::egress {

/// Accumulates encoded bind blocks in declaration order ($1, $2, ...). Reusable via clear().
class BindList {
  public:
    void clear() noexcept {
        bytes_.clear();
        count_ = 0;
    }
    [[nodiscard]] std::uint32_t count() const noexcept { return count_; }
    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }

    detail::Status add_bool(bool v);
    detail::Status add_i8(std::int8_t v);
    detail::Status add_i16(std::int16_t v);
    detail::Status add_i32(std::int32_t v);
    detail::Status add_i64(std::int64_t v);
    detail::Status add_f32(float v);
    detail::Status add_f64(double v);
    detail::Status add_char(char16_t v);
    detail::Status add_ipv4(std::uint32_t v);
    detail::Status add_timestamp_micros(std::int64_t v);
    detail::Status add_timestamp_nanos(std::int64_t v);
    detail::Status add_date_millis(std::int64_t v);
    detail::Status add_uuid(Uuid v);
    detail::Status add_long256(const Long256& v);
    detail::Status add_decimal64(Decimal64 v);
    detail::Status add_decimal128(Decimal128 v);
    detail::Status add_decimal256(const Decimal256& v);
    /// Fails with invalid_bind for a precision outside 1..60.
    detail::Status add_geohash(Geohash v);
    /// Fails with invalid_utf8 for malformed text.
    detail::Status add_varchar(std::string_view v);
    detail::Status add_binary(std::span<const std::uint8_t> v);
    /// A NULL of `kind`: exactly `<type> 01 01`.
    detail::Status add_null(ColumnKind kind);

  private:
    detail::Status begin(ColumnKind kind);
    template <typename T>
    detail::Status add_fixed(ColumnKind kind, T v);
    detail::Status add_var(ColumnKind kind, const void* data, std::size_t size);

    std::vector<std::uint8_t> bytes_;
    std::uint32_t count_ = 0;
};

}  // namespace questdb::egress
