#pragma once

// One result with every egress column kind, built through the server-side writer's columns
// (src/egress/server_writer.hpp). Shared by the writer round-trip test, which checks every
// value it reads back against the formulas below, and the egress fuzz target, which encodes
// it into seed frames.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "egress/server_writer.hpp"

namespace questdb::test {

/// Rows whose nullable columns hold NULL (booleans, bytes, shorts and chars have no NULL).
inline bool every_type_null_row(std::size_t row) {
    return row % 5 == 3;
}

/// 23 columns, one of each egress kind, in this order: b i8 i16 ch i32 i64 f32 f64 sym ts d
/// uuid l256 geo(25 bits) s tsn da la d64(scale 2) d128(scale 5) d256(scale 9) bin ip.
/// Row r holds values derived from r (see the appends); rows where every_type_null_row(r)
/// are NULL in every nullable column.
inline std::vector<egress::server::ResultColumn> every_type_columns(std::size_t rows) {
    using egress::ColumnKind;
    std::vector<egress::server::ResultColumn> cols;
    cols.emplace_back("b", ColumnKind::boolean);
    cols.emplace_back("i8", ColumnKind::byte);
    cols.emplace_back("i16", ColumnKind::short_);
    cols.emplace_back("ch", ColumnKind::char_);
    cols.emplace_back("i32", ColumnKind::int_);
    cols.emplace_back("i64", ColumnKind::long_);
    cols.emplace_back("f32", ColumnKind::float_);
    cols.emplace_back("f64", ColumnKind::double_);
    cols.emplace_back("sym", ColumnKind::symbol);
    cols.emplace_back("ts", ColumnKind::timestamp);
    cols.emplace_back("d", ColumnKind::date);
    cols.emplace_back("uuid", ColumnKind::uuid);
    cols.emplace_back("l256", ColumnKind::long256);
    cols.emplace_back("geo", ColumnKind::geohash, 25);
    cols.emplace_back("s", ColumnKind::varchar);
    cols.emplace_back("tsn", ColumnKind::timestamp_nanos);
    cols.emplace_back("da", ColumnKind::double_array);
    cols.emplace_back("la", ColumnKind::long_array);
    cols.emplace_back("d64", ColumnKind::decimal64, 2);
    cols.emplace_back("d128", ColumnKind::decimal128, 5);
    cols.emplace_back("d256", ColumnKind::decimal256, 9);
    cols.emplace_back("bin", ColumnKind::binary);
    cols.emplace_back("ip", ColumnKind::ipv4);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto v = static_cast<std::int64_t>(r);
        const bool n = every_type_null_row(r);
        for (auto& c : cols) {
            const bool never_null = c.kind() == ColumnKind::boolean ||
                                    c.kind() == ColumnKind::byte ||
                                    c.kind() == ColumnKind::short_ || c.kind() == ColumnKind::char_;
            if (n && !never_null) {
                c.append_null();
                continue;
            }
            switch (c.kind()) {
                case ColumnKind::boolean:
                    c.append_bool(r % 3 == 0);
                    break;
                case ColumnKind::byte:
                    c.append_i8(static_cast<std::int8_t>(v - 10));
                    break;
                case ColumnKind::short_:
                    c.append_i16(static_cast<std::int16_t>(v * -300));
                    break;
                case ColumnKind::char_:
                    c.append_char(static_cast<char16_t>(u'a' + r));
                    break;
                case ColumnKind::int_:
                    c.append_i32(static_cast<std::int32_t>(v * 1000 - 5));
                    break;
                case ColumnKind::long_:
                    c.append_i64(v * 1'000'000'007);
                    break;
                case ColumnKind::float_:
                    c.append_f32(static_cast<float>(r) * 0.5f);
                    break;
                case ColumnKind::double_:
                    c.append_f64(static_cast<double>(r) / 3.0);
                    break;
                case ColumnKind::symbol:
                    c.append_bytes("sym" + std::to_string(r % 4));
                    break;
                case ColumnKind::timestamp:
                    c.append_i64(1'700'000'000'000'000 + v * 1000);
                    break;
                case ColumnKind::date:
                    c.append_i64(1'700'000'000'000 + v * 60'000);
                    break;
                case ColumnKind::timestamp_nanos:
                    c.append_i64(1'700'000'000'000'000'000 + v * v * 7);
                    break;
                case ColumnKind::uuid:
                    c.append_uuid({static_cast<std::uint64_t>(v), ~static_cast<std::uint64_t>(v)});
                    break;
                case ColumnKind::long256:
                    c.append_long256({{1, 2, 3, static_cast<std::uint64_t>(v)}});
                    break;
                case ColumnKind::geohash:
                    c.append_geohash(static_cast<std::uint64_t>(v * 12345) & 0x1FFFFFF);
                    break;
                case ColumnKind::varchar:
                    c.append_bytes(std::string(r % 6, static_cast<char>('a' + r % 26)) + "é");
                    break;
                case ColumnKind::binary:
                    c.append_bytes(std::string(r % 4, '\0'));
                    break;
                case ColumnKind::double_array: {
                    const std::int32_t shape[] = {static_cast<std::int32_t>(r % 3), 2};
                    std::vector<double> values(static_cast<std::size_t>(shape[0] * 2),
                                               1.5 * static_cast<double>(r));
                    c.append_double_array(shape, values);
                    break;
                }
                case ColumnKind::long_array: {
                    const std::int32_t shape[] = {static_cast<std::int32_t>(r % 4)};
                    std::vector<std::int64_t> values(static_cast<std::size_t>(shape[0]), v);
                    c.append_long_array(shape, values);
                    break;
                }
                case ColumnKind::decimal64:
                    c.append_i64(v * 101);
                    break;
                case ColumnKind::decimal128:
                    c.append_decimal128(static_cast<std::uint64_t>(v), -v);
                    break;
                case ColumnKind::decimal256:
                    c.append_decimal256({static_cast<std::uint64_t>(v), 0, 0, 7});
                    break;
                case ColumnKind::ipv4:
                    c.append_ipv4(0x0A000001 + static_cast<std::uint32_t>(r));
                    break;
            }
        }
    }
    return cols;
}

}  // namespace questdb::test
