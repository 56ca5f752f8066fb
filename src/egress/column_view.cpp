#include <string>

#include "questdb/egress/batch.hpp"

namespace questdb::egress {

std::string_view to_string(ColumnKind kind) noexcept {
    switch (kind) {
        case ColumnKind::boolean:
            return "boolean";
        case ColumnKind::byte:
            return "byte";
        case ColumnKind::short_:
            return "short";
        case ColumnKind::int_:
            return "int";
        case ColumnKind::long_:
            return "long";
        case ColumnKind::float_:
            return "float";
        case ColumnKind::double_:
            return "double";
        case ColumnKind::symbol:
            return "symbol";
        case ColumnKind::timestamp:
            return "timestamp";
        case ColumnKind::date:
            return "date";
        case ColumnKind::uuid:
            return "uuid";
        case ColumnKind::long256:
            return "long256";
        case ColumnKind::geohash:
            return "geohash";
        case ColumnKind::varchar:
            return "varchar";
        case ColumnKind::timestamp_nanos:
            return "timestamp_nanos";
        case ColumnKind::double_array:
            return "double_array";
        case ColumnKind::long_array:
            return "long_array";
        case ColumnKind::decimal64:
            return "decimal64";
        case ColumnKind::decimal128:
            return "decimal128";
        case ColumnKind::decimal256:
            return "decimal256";
        case ColumnKind::char_:
            return "char";
        case ColumnKind::binary:
            return "binary";
        case ColumnKind::ipv4:
            return "ipv4";
    }
    return "unknown";
}

namespace detail {

void throw_kind_mismatch(const ColumnData& column, std::string_view wanted) {
    throw Error(ErrorCode::invalid_api_call, "column '" + std::string(column.name) + "' is " +
                                                 std::string(to_string(column.kind)) + ", not " +
                                                 std::string(wanted));
}

void throw_column_out_of_range(std::size_t index, std::size_t count) {
    throw Error(ErrorCode::invalid_api_call, "column index " + std::to_string(index) +
                                                 " out of range (batch has " +
                                                 std::to_string(count) + ")");
}

}  // namespace detail

bool ColumnView::is_null(std::size_t row) const noexcept {
    switch (data_->kind) {
        case ColumnKind::int_:
            return IntColumn(data_).is_null(row);
        case ColumnKind::long_:
            return LongColumn(data_).is_null(row);
        case ColumnKind::timestamp:
        case ColumnKind::timestamp_nanos:
        case ColumnKind::date:
            return TimestampColumn(data_).is_null(row);
        case ColumnKind::float_:
            return FloatColumn(data_).is_null(row);
        case ColumnKind::double_:
            return DoubleColumn(data_).is_null(row);
        case ColumnKind::ipv4:
            return Ipv4Column(data_).is_null(row);
        case ColumnKind::uuid:
            return UuidColumn(data_).is_null(row);
        case ColumnKind::long256:
            return Long256Column(data_).is_null(row);
        case ColumnKind::decimal64:
            return Decimal64Column(data_).is_null(row);
        case ColumnKind::geohash:
            return GeohashColumn(data_).is_null(row);
        default:
            return detail::bitmap_null(*data_, row);
    }
}

}  // namespace questdb::egress
