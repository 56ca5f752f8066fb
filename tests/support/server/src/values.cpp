// Row/Table accessors and value formatting of the public test-server API.

#include "questdb/test_server/values.hpp"

#include <cstring>
#include <stdexcept>

namespace questdb::test_server {

std::string_view to_string(ColumnType type) noexcept {
    switch (type) {
        case ColumnType::boolean:
            return "BOOLEAN";
        case ColumnType::byte:
            return "BYTE";
        case ColumnType::short_:
            return "SHORT";
        case ColumnType::int_:
            return "INT";
        case ColumnType::long_:
            return "LONG";
        case ColumnType::float_:
            return "FLOAT";
        case ColumnType::double_:
            return "DOUBLE";
        case ColumnType::symbol:
            return "SYMBOL";
        case ColumnType::timestamp:
            return "TIMESTAMP";
        case ColumnType::date:
            return "DATE";
        case ColumnType::uuid:
            return "UUID";
        case ColumnType::long256:
            return "LONG256";
        case ColumnType::geohash:
            return "GEOHASH";
        case ColumnType::varchar:
            return "VARCHAR";
        case ColumnType::timestamp_nanos:
            return "TIMESTAMP_NS";
        case ColumnType::double_array:
            return "DOUBLE[]";
        case ColumnType::long_array:
            return "LONG[]";
        case ColumnType::decimal64:
            return "DECIMAL64";
        case ColumnType::decimal128:
            return "DECIMAL128";
        case ColumnType::decimal256:
            return "DECIMAL256";
        case ColumnType::char_:
            return "CHAR";
        case ColumnType::binary:
            return "BINARY";
        case ColumnType::ipv4:
            return "IPV4";
    }
    return "UNKNOWN";
}

std::optional<std::int64_t> Decimal::unscaled_i64() const {
    if (unscaled_le.empty()) {
        return 0;
    }
    const bool negative = (unscaled_le.back() & 0x80) != 0;
    const std::uint8_t fill = negative ? 0xFF : 0x00;
    for (std::size_t i = 8; i < unscaled_le.size(); ++i) {
        if (unscaled_le[i] != fill) {
            return std::nullopt;
        }
    }
    if (unscaled_le.size() > 8 && ((unscaled_le[7] & 0x80) != 0) != negative) {
        return std::nullopt;
    }
    std::uint64_t bits = negative ? ~std::uint64_t{0} : 0;
    for (std::size_t i = 0; i < unscaled_le.size() && i < 8; ++i) {
        bits &= ~(std::uint64_t{0xFF} << (8 * i));
        bits |= std::uint64_t{unscaled_le[i]} << (8 * i);
    }
    std::int64_t v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

std::string Decimal::to_string() const {
    const auto v = unscaled_i64();
    if (!v) {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string hex = "0x";
        for (auto it = unscaled_le.rbegin(); it != unscaled_le.rend(); ++it) {
            hex.push_back(kDigits[*it >> 4]);
            hex.push_back(kDigits[*it & 0xF]);
        }
        return hex + "e-" + std::to_string(scale);
    }
    const bool negative = *v < 0;
    std::string digits =
        negative ? std::to_string(*v).substr(1) : std::to_string(*v);  // handles INT64_MIN
    if (scale > 0) {
        if (digits.size() <= scale) {
            digits.insert(0, scale - digits.size() + 1, '0');
        }
        digits.insert(digits.size() - scale, ".");
    }
    return negative ? "-" + digits : digits;
}

namespace {
std::size_t index_of(const std::vector<Column>& columns, std::string_view name) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name == name) {
            return i;
        }
    }
    throw std::out_of_range("no column '" + std::string(name) + "'");
}
}  // namespace

const Value& Row::at(std::string_view name) const {
    return values_.at(index_of(*columns_, name));
}

bool Row::is_null(std::string_view name) const {
    return std::holds_alternative<std::monostate>(at(name));
}
std::int64_t Row::i64(std::string_view name) const {
    return std::get<std::int64_t>(at(name));
}
double Row::f64(std::string_view name) const {
    return std::get<double>(at(name));
}
bool Row::boolean(std::string_view name) const {
    return std::get<bool>(at(name));
}
const std::string& Row::str(std::string_view name) const {
    return std::get<std::string>(at(name));
}

std::int64_t Row::timestamp() const {
    for (std::size_t i = 0; i < columns_->size(); ++i) {
        if ((*columns_)[i].designated_timestamp) {
            return std::get<std::int64_t>(values_.at(i));
        }
    }
    throw std::out_of_range("table has no designated timestamp");
}

Table::Table(std::string name, std::shared_ptr<const std::vector<Column>> columns,
             std::vector<Row> rows, std::int64_t seq_txn)
    : name_(std::move(name)),
      columns_(std::move(columns)),
      rows_(std::move(rows)),
      seq_txn_(seq_txn),
      exists_(true) {}

const Column* Table::column(std::string_view name) const noexcept {
    for (const auto& c : *columns_) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

}  // namespace questdb::test_server
