// IngestPlan: checks the record batch, classifies every column once (ingest_classify.cpp,
// ingest_metadata.cpp) and, per slice, hands each column to the function of its type family.

#include "arrow/ingest_plan.hpp"

#include <array>

#include "arrow/ingest_support.hpp"

namespace questdb::arrow::detail {
namespace {

void add_column(Chunk& chunk, ColumnPlan& c, const Slice& s) {
    const Validity v = validity_of(c, s);
    switch (c.target) {
        case Target::boolean: {
            const auto bits =
                aligned_bits(buffer<std::uint8_t>(c, *c.array, 1), s.first, s.count, c.bits);
            chunk.column_bool(c.name, bits, s.count, v);
            return;
        }
        case Target::byte:
        case Target::short_:
        case Target::int_:
        case Target::long_:
        case Target::char_:
        case Target::ipv4:
        case Target::geohash:
            add_integer(chunk, c, s, v);
            return;
        case Target::float_:
        case Target::double_:
            add_float(chunk, c, s, v);
            return;
        case Target::varchar:
        case Target::binary:
        case Target::symbol:
            add_strings(chunk, c, s, v);
            return;
        case Target::dict_symbol:
        case Target::dict_varchar:
            add_dictionary(chunk, c, s, v);
            return;
        case Target::uuid:
            chunk.column_uuid(c.name, values_of<std::array<std::uint8_t, 16>>(c, s), v);
            return;
        case Target::long256:
            chunk.column_long256(c.name, values_of<std::array<std::uint8_t, 32>>(c, s), v);
            return;
        case Target::timestamp_micros:
        case Target::timestamp_nanos:
        case Target::date_millis:
        case Target::long_nanos:
            add_temporal(chunk, c, s, v);
            return;
        case Target::decimal64:
        case Target::decimal128:
        case Target::decimal256:
            add_decimal(chunk, c, s, v);
            return;
        case Target::double_array:
            add_list(chunk, c, s, v);
            return;
    }
}

}  // namespace

IngestPlan IngestPlan::make(const ArrowSchema& schema, const ArrowArray& array,
                            std::optional<std::string_view> timestamp_column,
                            std::span<const ColumnOverride> overrides) {
    if (schema.release == nullptr || array.release == nullptr) {
        fail_ingest("Arrow schema or array was already released");
    }
    if (schema.format == nullptr || std::string_view(schema.format) != "+s") {
        fail_ingest("an Arrow record batch must be a struct ('+s'), not '" +
                    std::string(schema.format ? schema.format : "") + "'");
    }
    if (schema.n_children != array.n_children || array.length < 0 || array.offset < 0 ||
        (schema.n_children > 0 && (schema.children == nullptr || array.children == nullptr))) {
        fail_ingest("Arrow schema and array do not match (children or length)");
    }
    IngestPlan plan;
    plan.rows_ = static_cast<std::size_t>(array.length);
    plan.parent_offset_ = array.offset;
    bool found_ts = !timestamp_column.has_value();
    for (std::int64_t i = 0; i < schema.n_children; ++i) {
        ColumnPlan c;
        c.schema = schema.children[i];
        c.array = array.children[i];
        if (c.schema == nullptr || c.array == nullptr || c.schema->format == nullptr) {
            fail_ingest("Arrow child " + std::to_string(i) + " is missing");
        }
        c.name = c.schema->name != nullptr ? c.schema->name : "";
        c.format = c.schema->format;
        if (c.array->length < array.offset + array.length || c.array->offset < 0) {
            fail_ingest("Arrow " + where(c) + " is shorter than the batch");
        }
        if (timestamp_column && c.name == *timestamp_column) {
            found_ts = true;
            const auto f = c.format;
            if (!starts_with(f, "tss:") && !starts_with(f, "tsm:") && !starts_with(f, "tsu:") &&
                !starts_with(f, "tsn:") && f != "tdm") {
                fail_ingest("designated timestamp " + where(c) +
                            " must be an Arrow timestamp (tss/tsm/tsu/tsn) or date64");
            }
            classify(c);
            plan.designated_ = std::move(c);
            continue;
        }
        classify(c);
        apply_metadata(c);
        plan.columns_.push_back(std::move(c));
    }
    if (!found_ts) {
        fail_ingest("designated timestamp column '" + std::string(*timestamp_column) +
                    "' is not in the Arrow batch");
    }
    for (std::size_t i = 0; i < overrides.size(); ++i) {
        const auto& o = overrides[i];
        for (std::size_t j = 0; j < i; ++j) {
            if (overrides[j].column == o.column) {
                fail_ingest("two overrides for column '" + std::string(o.column) + "'");
            }
        }
        ColumnPlan* target = nullptr;
        for (auto& c : plan.columns_) {
            if (c.name == o.column)
                target = &c;
        }
        if (target == nullptr) {
            fail_ingest("override names column '" + std::string(o.column) +
                        "', which is not in the Arrow batch (or is the designated timestamp)");
        }
        apply_override(*target, o);
    }
    return plan;
}

void IngestPlan::fill(ingress::Chunk& chunk, std::size_t begin, std::size_t count) {
    const auto first = static_cast<std::size_t>(parent_offset_) + begin;
    for (auto& c : columns_) {
        add_column(chunk, c, Slice{first + static_cast<std::size_t>(c.array->offset), count});
    }
    if (designated_) {
        add_designated(chunk, *designated_,
                       Slice{first + static_cast<std::size_t>(designated_->array->offset), count});
    } else {
        chunk.at_now();
    }
}

}  // namespace questdb::arrow::detail
