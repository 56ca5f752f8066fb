// Lists of float64 as DOUBLE[]: one level (list, large_list, fixed_size_list) maps onto the
// Chunk's 1-D array layout; nested lists become N-dimensional arrays, which must be
// rectangular within each row (QuestDB arrays have a shape, Arrow lists do not). A NULL row is
// a NULL array; a NULL element is NaN (QuestDB arrays have no element validity); a NULL inner
// list or a ragged row is an error naming the column and the row.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "arrow/ingest_support.hpp"
#include "ingress/chunk_impl.hpp"

namespace questdb::arrow::detail {
namespace {

// One list level: how element `index` (a position in the level's buffers, offset applied)
// finds its range of child positions.
struct ListLevel {
    const ArrowArray* array;
    Physical kind;       // list, large_list or fixed_list
    std::int64_t width;  // fixed_list only
};

Physical list_kind(std::string_view format) {
    if (format == "+l")
        return Physical::list;
    if (format == "+L")
        return Physical::large_list;
    return Physical::fixed_list;
}

const ArrowArray& child_of(const ColumnPlan& c, const ArrowArray& a) {
    if (a.n_children != 1 || a.children == nullptr || a.children[0] == nullptr) {
        fail_ingest("list array without its child in " + where(c));
    }
    return *a.children[0];
}

// Where element `index` (a position in the level's buffers) starts, as a logical index of
// the child array (the child's own offset is added when the child is read). Element `index`
// spans [start(index), start(index + 1)).
std::int64_t start(const ColumnPlan& c, const ListLevel& level, std::size_t index) {
    switch (level.kind) {
        case Physical::list:
            return buffer<std::int32_t>(c, *level.array, 1)[index];
        case Physical::large_list:
            return buffer<std::int64_t>(c, *level.array, 1)[index];
        default:
            return static_cast<std::int64_t>(index) * level.width;
    }
}

// Leaf values [begin, end) (logical indices of the leaf array), NULL elements as NaN.
void append_leaf(const ColumnPlan& c, const ArrowArray& leaf, std::int64_t begin, std::int64_t end,
                 std::vector<std::uint8_t>& out) {
    if (begin < 0 || end > leaf.length || begin > end) {
        fail_ingest("list offsets run outside the float64 values in " + where(c));
    }
    const auto* values = buffer<double>(c, leaf, 1);
    const auto* bits = validity_buffer(leaf);
    for (std::int64_t j = begin; j < end; ++j) {
        const auto at = static_cast<std::size_t>(leaf.offset + j);
        const double value = bits != nullptr && !bit_at(bits, at) ? std::nan("") : values[at];
        const auto size = out.size();
        out.resize(size + sizeof value);
        std::memcpy(out.data() + size, &value, sizeof value);
    }
}

void set_dim(std::vector<std::uint8_t>& out, std::size_t at, std::int64_t dim) {
    const auto d32 = static_cast<std::int32_t>(dim);
    std::memcpy(out.data() + at, &d32, 4);
}

// Row `row` (a position in the column's buffers) of an N-D column as wire bytes: n_dims, the
// shape, then the elements in row-major order.
void append_nd_row(const ColumnPlan& c, std::span<const ListLevel> levels, const ArrowArray& leaf,
                   std::size_t row, std::size_t slice_row, std::vector<std::uint8_t>& out) {
    auto reject = [&](const char* what) {
        fail_ingest(std::string(what) + " in " + where(c) + " at row " + std::to_string(slice_row) +
                    ": a QuestDB array needs the same length at every position of a dimension");
    };
    out.push_back(static_cast<std::uint8_t>(levels.size()));
    const std::size_t shape_at = out.size();
    out.resize(shape_at + 4 * levels.size());
    // [begin, end): logical indices into the next level's array, narrowed level by level.
    std::int64_t begin = start(c, levels[0], row);
    std::int64_t end = start(c, levels[0], row + 1);
    set_dim(out, shape_at, end - begin);
    for (std::size_t k = 1; k < levels.size(); ++k) {
        const ListLevel& level = levels[k];
        const auto* bits = validity_buffer(*level.array);
        std::int64_t dim = -1;
        std::int64_t next_begin = 0;
        std::int64_t next_end = 0;
        for (std::int64_t j = begin; j < end; ++j) {
            const auto at = static_cast<std::size_t>(level.array->offset + j);
            if (bits != nullptr && !bit_at(bits, at)) {
                reject("a NULL inner list");
            }
            const std::int64_t b = start(c, level, at);
            const std::int64_t e = start(c, level, at + 1);
            if (dim < 0) {
                dim = e - b;
                next_begin = b;
            } else if (e - b != dim || b != next_end) {
                reject("a ragged nested list");
            }
            next_end = e;
        }
        set_dim(out, shape_at + 4 * k, std::max<std::int64_t>(dim, 0));
        begin = next_begin;
        end = next_end;
    }
    append_leaf(c, leaf, begin, end, out);
}

void add_nd_list(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    std::vector<ListLevel> levels;
    const ArrowSchema* schema = c.schema;
    const ArrowArray* array = c.array;
    for (unsigned k = 0; k < c.list_dims; ++k) {
        const std::string_view format = schema->format;
        const auto kind = list_kind(format);
        std::int64_t width = 0;
        if (kind == Physical::fixed_list) {
            width = parse_int(format.substr(3)).value_or(0);
        }
        levels.push_back(ListLevel{array, kind, width});
        array = &child_of(c, *array);
        schema = schema->children[0];
    }
    const ArrowArray& leaf = *array;
    c.bytes.clear();
    c.i64.assign(1, 0);
    for (std::size_t i = 0; i < s.count; ++i) {
        if (present(v, i)) {
            append_nd_row(c, levels, leaf, s.first + i, i, c.bytes);
        }
        c.i64.push_back(static_cast<std::int64_t>(c.bytes.size()));
    }
    ingress::ChunkAccess::add_double_array_blob(chunk, c.name, c.i64, c.bytes, v);
}

}  // namespace

void add_list(Chunk& chunk, ColumnPlan& c, const Slice& s, Validity v) {
    if (c.list_dims > 1) {
        add_nd_list(chunk, c, s, v);
        return;
    }
    const auto& a = *c.array;
    const ArrowArray& child = child_of(c, a);
    const ListLevel level{&a, c.physical, c.fixed_width};
    c.i64.resize(s.count + 1);
    for (std::size_t i = 0; i <= s.count; ++i) {
        c.i64[i] = start(c, level, s.first + i);
    }
    const auto* values = static_cast<const double*>(
        child.n_buffers >= 2 && child.buffers != nullptr && child.buffers[1] != nullptr
            ? child.buffers[1]
            : nullptr);
    static const double none[1] = {0.0};
    const auto count = static_cast<std::size_t>(child.length);
    std::span<const double> elements{values != nullptr ? values + child.offset : none,
                                     values != nullptr ? count : 0};
    if (const auto* child_bits = validity_buffer(child); child_bits != nullptr) {
        // QuestDB arrays have no element validity: a NULL element is NaN.
        c.f64.assign(elements.begin(), elements.end());
        for (std::size_t i = 0; i < c.f64.size(); ++i) {
            if (!bit_at(child_bits, static_cast<std::size_t>(child.offset) + i)) {
                c.f64[i] = std::nan("");
            }
        }
        elements = c.f64;
    }
    chunk.column_arr_f64(c.name, c.i64, elements, v);
}

}  // namespace questdb::arrow::detail
