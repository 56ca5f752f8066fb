#include "qwp/types.hpp"

namespace questdb::qwp {

std::string_view type_name(TypeCode type) noexcept {
    switch (type) {
        case TypeCode::boolean:
            return "BOOLEAN";
        case TypeCode::byte:
            return "BYTE";
        case TypeCode::short_:
            return "SHORT";
        case TypeCode::int_:
            return "INT";
        case TypeCode::long_:
            return "LONG";
        case TypeCode::float_:
            return "FLOAT";
        case TypeCode::double_:
            return "DOUBLE";
        case TypeCode::symbol:
            return "SYMBOL";
        case TypeCode::timestamp:
            return "TIMESTAMP";
        case TypeCode::date:
            return "DATE";
        case TypeCode::uuid:
            return "UUID";
        case TypeCode::long256:
            return "LONG256";
        case TypeCode::geohash:
            return "GEOHASH";
        case TypeCode::varchar:
            return "VARCHAR";
        case TypeCode::timestamp_nanos:
            return "TIMESTAMP_NANOS";
        case TypeCode::double_array:
            return "DOUBLE_ARRAY";
        case TypeCode::long_array:
            return "LONG_ARRAY";
        case TypeCode::decimal64:
            return "DECIMAL64";
        case TypeCode::decimal128:
            return "DECIMAL128";
        case TypeCode::decimal256:
            return "DECIMAL256";
        case TypeCode::char_:
            return "CHAR";
        case TypeCode::binary:
            return "BINARY";
        case TypeCode::ipv4:
            return "IPV4";
    }
    return "UNKNOWN";
}

}  // namespace questdb::qwp
