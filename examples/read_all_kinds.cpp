// Reading every column kind. A result batch is columnar: batch->column(i) is an untyped
// ColumnView with name() and kind(); as_long(), as_varchar(), ... give the typed, zero-copy
// view (get(row) returns std::optional, empty for NULL). Views borrow the batch and are valid
// until the next next_batch() call.
//
// The example writes one row holding a value of every type QuestDB stores and one row of
// NULLs, reads the table back, and prints every cell through a switch over ColumnKind.
// Usage: example_read_all_kinds [connect-string]
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

#include "example_support.hpp"

namespace {

using questdb::egress::ColumnKind;
using questdb::egress::ColumnView;

template <typename T>
std::string text(const std::optional<T>& v) {
    if (!v) {
        return "NULL";
    }
    std::ostringstream out;
    out << *v;
    return out.str();
}

std::string hex(std::uint64_t v) {
    char buf[19];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

template <typename Array>
std::string array_text(const Array& a) {
    std::ostringstream out;
    out << "[";
    for (std::size_t i = 0; i < a.size(); ++i) {
        out << (i ? ", " : "") << a[i];
    }
    out << "] (" << a.n_dims() << " dim)";
    return out.str();
}

// One cell as text, whatever its kind.
std::string cell(const ColumnView& c, std::size_t row) {
    switch (c.kind()) {
        case ColumnKind::boolean:
            return text(c.as_bool().get(row));
        case ColumnKind::byte: {
            const auto v = c.as_byte().get(row);
            return v ? std::to_string(*v) : "NULL";
        }
        case ColumnKind::short_:
            return text(c.as_short().get(row));
        case ColumnKind::char_: {
            const auto v = c.as_char().get(row);
            if (!v) {
                return "NULL";
            }
            if (*v >= 0x20 && *v < 0x7f) {
                return std::string(1, static_cast<char>(*v));
            }
            return "U+" + hex(*v).substr(12);  // not printable as ASCII
        }
        case ColumnKind::int_:
            return text(c.as_int().get(row));
        case ColumnKind::long_:
            return text(c.as_long().get(row));
        case ColumnKind::float_:
            return text(c.as_float().get(row));
        case ColumnKind::double_:
            return text(c.as_double().get(row));
        case ColumnKind::symbol:
            return text(c.as_symbol().get(row));
        case ColumnKind::varchar:
            return text(c.as_varchar().get(row));
        case ColumnKind::timestamp:        // microseconds
        case ColumnKind::timestamp_nanos:  // nanoseconds
        case ColumnKind::date:             // milliseconds
            return text(c.as_timestamp().get(row));
        case ColumnKind::uuid: {
            const auto v = c.as_uuid().get(row);
            return v ? hex(v->hi) + hex(v->lo) : "NULL";
        }
        case ColumnKind::long256: {
            const auto v = c.as_long256().get(row);
            return v ? "0x" + hex(v->limbs[3]) + hex(v->limbs[2]) + hex(v->limbs[1]) +
                           hex(v->limbs[0])
                     : "NULL";
        }
        case ColumnKind::ipv4: {
            const auto v = c.as_ipv4().get(row);
            if (!v) {
                return "NULL";
            }
            return std::to_string(*v >> 24) + "." + std::to_string((*v >> 16) & 255) + "." +
                   std::to_string((*v >> 8) & 255) + "." + std::to_string(*v & 255);
        }
        case ColumnKind::geohash: {
            // The precision is the column's (the in-tree test server always reports 60).
            const auto v = c.as_geohash().get(row);
            return v ? hex(v->bits) + " (" + std::to_string(v->precision) + " bits)" : "NULL";
        }
        case ColumnKind::binary: {
            const auto v = c.as_binary().get(row);
            return v ? std::to_string(v->size()) + " bytes" : "NULL";
        }
        case ColumnKind::decimal64: {
            const auto v = c.as_decimal64().get(row);  // value = unscaled / 10^scale
            return v ? std::to_string(v->unscaled) + "e-" + std::to_string(v->scale) : "NULL";
        }
        case ColumnKind::decimal128: {
            const auto v = c.as_decimal128().get(row);
            if (!v) {
                return "NULL";
            }
            const bool small =
                (v->hi == 0 && v->lo < (1ULL << 63)) || (v->hi == -1 && v->lo >= (1ULL << 63));
            return small ? std::to_string(static_cast<std::int64_t>(v->lo)) + "e-" +
                               std::to_string(v->scale)
                         : "(wide) e-" + std::to_string(v->scale);
        }
        case ColumnKind::decimal256: {
            const auto v = c.as_decimal256().get(row);
            if (!v) {
                return "NULL";
            }
            // Small values fit the low limb (two's complement: high limbs all 0 or all 1).
            const bool small = (v->limbs[1] == 0 && v->limbs[2] == 0 && v->limbs[3] == 0 &&
                                v->limbs[0] < (1ULL << 63)) ||
                               (v->limbs[1] == ~0ULL && v->limbs[2] == ~0ULL &&
                                v->limbs[3] == ~0ULL && v->limbs[0] >= (1ULL << 63));
            return small ? std::to_string(static_cast<std::int64_t>(v->limbs[0])) + "e-" +
                               std::to_string(v->scale)
                         : "(wide) e-" + std::to_string(v->scale);
        }
        case ColumnKind::double_array: {
            const auto v = c.as_double_array().get(row);
            return v ? array_text(*v) : "NULL";
        }
        case ColumnKind::long_array: {
            const auto v = c.as_long_array().get(row);
            return v ? array_text(*v) : "NULL";
        }
    }
    return "(unknown kind)";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    using questdb::ingress::TimestampMicros;
    using questdb::ingress::TimestampNanos;
    return example::run([&] {
        auto db = questdb::QuestDb::connect(example::connect_string(argc, argv));
        const std::string table = example::unique_table("all_kinds");
        {
            auto sender = db.borrow_row_sender();
            auto buffer = sender->new_buffer();
            const std::vector<std::uint8_t> blob{0xde, 0xad, 0xbe, 0xef};
            const std::vector<std::vector<double>> matrix{{1.5, 2.5}, {3.5, 4.5}};
            buffer.table(table)
                .symbol("a_symbol", "ETH-USD")
                .column_bool("a_boolean", true)
                .column_i8("a_byte", -8)
                .column_i16("a_short", 1600)
                .column_char("a_char", u'Q')
                .column_i32("an_int", 320000)
                .column_i64("a_long", 6'400'000'000)
                .column_f32("a_float", 3.25f)
                .column_f64("a_double", 2615.54)
                .column_str("a_varchar", "héllo")
                .column_ts("a_timestamp", TimestampMicros(1'700'000'000'000'000))
                .column_ts("a_timestamp_ns", TimestampNanos(1'700'000'000'000'000'001))
                .column_date("a_date", 1'700'000'000'000)
                .column_uuid("a_uuid", 0x1122334455667788ULL, 0x99aabbccddeeff00ULL)
                .column_long256("a_long256", {1, 2, 3, 4})
                .column_ipv4("an_ipv4", (192u << 24) | (168u << 16) | (1u << 8) | 42u)
                .column_geohash("a_geohash", 0b11010, 5)
                .column_binary("a_binary", blob)
                .column_dec64("a_decimal64", 12345, 2)
                .column_dec128("a_decimal128", 987654321, 0, 3)
                .column_dec("a_decimal256", "-123.4500")
                .column_arr("a_double_array", matrix)
                .column_arr("a_long_array", std::vector<std::int64_t>{10, 20, 30})
                .at(TimestampNanos::now());
            // A row of NULLs: every column but one omitted. BOOLEAN, BYTE, SHORT and CHAR
            // have no NULL in QuestDB and read back as false / 0.
            buffer.table(table).symbol("a_symbol", "none").at(TimestampNanos::now());
            sender->flush(buffer);
            sender->wait(questdb::ingress::AckLevel::ok, 10s);
        }
        example::expect_rows(db, table, 2);

        auto reader = db.borrow_reader();
        auto cursor = reader->execute("SELECT * FROM " + table);
        std::map<std::string, std::string> first_row;
        std::size_t nulls_in_second_row = 0;
        while (auto batch = cursor.next_batch()) {
            for (std::size_t r = 0; r < batch->row_count(); ++r) {
                std::cout << "row " << r << ":\n";
                for (std::size_t i = 0; i < batch->column_count(); ++i) {
                    const auto column = batch->column(i);
                    const auto value = cell(column, r);
                    std::cout << "  " << column.name() << " ("
                              << questdb::egress::to_string(column.kind()) << "): " << value
                              << "\n";
                    if (r == 0) {
                        first_row[std::string(column.name())] = value;
                    } else if (column.is_null(r)) {
                        ++nulls_in_second_row;
                    }
                }
            }
        }
        example::check(first_row["a_long"] == "6400000000", "a_long");
        example::check(first_row["a_varchar"] == "héllo", "a_varchar");
        example::check(first_row["an_ipv4"] == "192.168.1.42", "an_ipv4");
        example::check(first_row["a_double_array"] == "[1.5, 2.5, 3.5, 4.5] (2 dim)",
                       "a_double_array");
        example::check(first_row["a_timestamp"] == "1700000000000000", "a_timestamp");
        example::check(first_row["a_decimal256"] == "-1234500e-4", "a_decimal256");
        example::check(first_row["a_decimal128"] == "987654321e-3", "a_decimal128");
        example::check(first_row["a_uuid"] == "99aabbccddeeff001122334455667788", "a_uuid");
        example::check(first_row.size() == 24, "24 columns (23 typed + the designated timestamp)");
        example::check(nulls_in_second_row >= 15, "the second row is mostly NULL");
        std::cout << "read " << first_row.size() << " columns; the NULL row had "
                  << nulls_in_second_row << " NULL cells\n";
    });
}
