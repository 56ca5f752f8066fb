#include "questdb/ingress/buffer.hpp"

#include <cstring>

#include "ilp/buffer_bridge.hpp"
#include "ingress/buffer_impl.hpp"

namespace questdb::ingress {
namespace {

using qwp::TypeCode;

// Errors inside a row discard that row: rewind, then throw.
[[noreturn, gnu::noinline, gnu::cold]] void fail_row(Buffer::Impl& impl) {
    auto failure = impl.qwp.take_error();
    impl.qwp.rewind();
    questdb::detail::throw_failure(std::move(failure));
}
Buffer& checked(Buffer& self, Buffer::Impl& impl, bool ok) {
    if (!ok) [[unlikely]]
        fail_row(impl);
    return self;
}

template <typename T>
Buffer& fixed(Buffer& self, Buffer::Impl& impl, std::string_view name, TypeCode type, T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    // fixed_width folds: every caller passes a constant type.
    if (qwp::fixed_width(type) == sizeof(T) && impl.qwp.try_fixed(name, type, value))
        return self;
    return checked(self, impl, impl.qwp.fixed(name, type, &value));
}

// The slow halves of the hottest setters (table, symbol, LONG, DOUBLE, VARCHAR, at):
// everything the row store's try_* fast path declined, ILP mode included (an ILP buffer's row
// store stays empty, so its fast paths always decline; the LineBuffer try_* fast paths then
// take the plain ILP case inline and the bridge the rest). Out of line so that the public
// setter is the fast path plus a tail call: no stack frame, no saved registers in the steady
// state.
[[gnu::noinline]] Buffer& table_slow(Buffer& self, Buffer::Impl& impl, std::string_view name) {
    if (auto* lines = impl.ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        if (!lines->try_table(name)) [[unlikely]]
            ilp::bridge::table(*lines, name);
        return self;
    }
    return checked(self, impl, impl.qwp.table(name));
}
[[gnu::noinline]] Buffer& symbol_slow(Buffer& self, Buffer::Impl& impl, std::string_view name,
                                      std::string_view value) {
    if (auto* lines = impl.ilp.get()) {
        if (!lines->try_symbol(name, value)) [[unlikely]]
            ilp::bridge::symbol(*lines, name, value);
        return self;
    }
    return checked(self, impl, impl.qwp.symbol(name, value));
}
// symbol() for values of more than 8 bytes: their lookup hashes and compares entry bytes,
// which needs registers the short values' fast path can then do without.
[[gnu::noinline]] Buffer& symbol_long(Buffer& self, Buffer::Impl& impl, std::string_view name,
                                      std::string_view value) {
    if (impl.qwp.try_symbol<false>(name, value)) [[likely]]
        return self;
    return symbol_slow(self, impl, name, value);
}
[[gnu::noinline]] Buffer& i64_slow(Buffer& self, Buffer::Impl& impl, std::string_view name,
                                   std::int64_t value) {
    if (auto* lines = impl.ilp.get()) {
        if (!lines->try_column_i64(name, value)) [[unlikely]]
            ilp::bridge::column_int(*lines, name, value);
        return self;
    }
    return checked(self, impl, impl.qwp.fixed(name, TypeCode::long_, &value));
}
[[gnu::noinline]] Buffer& f64_slow(Buffer& self, Buffer::Impl& impl, std::string_view name,
                                   double value) {
    if (auto* lines = impl.ilp.get()) {
        if (!lines->try_column_f64(name, value)) [[unlikely]]
            ilp::bridge::column_f64(*lines, name, value);
        return self;
    }
    return checked(self, impl, impl.qwp.fixed(name, TypeCode::double_, &value));
}
[[gnu::noinline]] Buffer& str_slow(Buffer& self, Buffer::Impl& impl, std::string_view name,
                                   std::string_view value) {
    if (auto* lines = impl.ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        if (!lines->try_column_str(name, value)) [[unlikely]]
            ilp::bridge::column_str(*lines, name, value);
        return self;
    }
    return checked(
        self, impl,
        impl.qwp.bytes(name, TypeCode::varchar,
                       {reinterpret_cast<const std::uint8_t*>(value.data()), value.size()}));
}
[[gnu::noinline]] void at_slow(Buffer& self, Buffer::Impl& impl, TypeCode type,
                               std::int64_t value) {
    if (auto* lines = impl.ilp.get()) {
        const auto unit =
            type == TypeCode::timestamp_nanos ? ilp::TimeUnit::nanos : ilp::TimeUnit::micros;
        if (lines->try_at(value, unit)) [[likely]]
            return;
        if (type == TypeCode::timestamp_nanos)
            ilp::bridge::at_nanos(*lines, value);
        else
            ilp::bridge::at_micros(*lines, value);
        return;
    }
    checked(self, impl, impl.qwp.at(type, value));
}

}  // namespace

Buffer::Buffer() : Buffer(BufferOptions{}) {}
Buffer::Buffer(const BufferOptions& options) : impl_(std::make_unique<Impl>(options)) {}

Buffer Buffer::ilp(ProtocolVersion version, const BufferOptions& options) {
    Buffer buffer(options);
    buffer.impl_->mode = Impl::Mode::ilp;
    buffer.impl_->ilp = std::make_unique<ilp::LineBuffer>(version, options.max_name_len);
    return buffer;
}
std::optional<ProtocolVersion> Buffer::ilp_protocol_version() const noexcept {
    if (impl_->ilp) {
        return impl_->ilp->protocol_version();
    }
    return std::nullopt;
}
std::string_view Buffer::ilp_text() const noexcept {
    return impl_->ilp ? impl_->ilp->view() : std::string_view();
}
Buffer::~Buffer() = default;
Buffer::Buffer(Buffer&&) noexcept = default;
Buffer& Buffer::operator=(Buffer&&) noexcept = default;

Buffer& Buffer::table(std::string_view name) {
    if (impl_->qwp.try_table(name)) [[likely]]
        return *this;
    return table_slow(*this, *impl_, name);
}
Buffer& Buffer::symbol(std::string_view name, std::string_view value) {
    if (value.size() > 8)
        return symbol_long(*this, *impl_, name, value);
    if (impl_->qwp.try_symbol<true>(name, value)) [[likely]]
        return *this;
    return symbol_slow(*this, *impl_, name, value);
}
Buffer& Buffer::column_bool(std::string_view name, bool value) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_bool(*lines, name, value);
        return *this;
    }
    return checked(*this, *impl_, impl_->qwp.boolean(name, value));
}
Buffer& Buffer::column_i8(std::string_view name, std::int8_t v) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_int(*lines, name, v);
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::byte, v);
}
Buffer& Buffer::column_i16(std::string_view name, std::int16_t v) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_int(*lines, name, v);
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::short_, v);
}
Buffer& Buffer::column_i32(std::string_view name, std::int32_t v) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_int(*lines, name, v);
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::int_, v);
}
Buffer& Buffer::column_i64(std::string_view name, std::int64_t v) {
    if (impl_->qwp.try_fixed(name, TypeCode::long_, v)) [[likely]]
        return *this;
    return i64_slow(*this, *impl_, name, v);
}
Buffer& Buffer::column_f32(std::string_view name, float v) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_f64(*lines, name, v);
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::float_, v);
}
Buffer& Buffer::column_f64(std::string_view name, double v) {
    if (impl_->qwp.try_fixed(name, TypeCode::double_, v)) [[likely]]
        return *this;
    return f64_slow(*this, *impl_, name, v);
}
Buffer& Buffer::column_str(std::string_view name, std::string_view value) {
    if (impl_->qwp.try_varchar(name, value)) [[likely]]
        return *this;
    return str_slow(*this, *impl_, name, value);
}
Buffer& Buffer::column_char(std::string_view name, char16_t v) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "CHAR");
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::char_, v);
}
Buffer& Buffer::column_uuid(std::string_view name, std::uint64_t lo, std::uint64_t hi) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "UUID");
        return *this;
    }
    const std::array<std::uint64_t, 2> v = {lo, hi};
    return fixed(*this, *impl_, name, TypeCode::uuid, v);
}
Buffer& Buffer::column_long256(std::string_view name, const std::array<std::uint64_t, 4>& limbs) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "LONG256");
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::long256, limbs);
}
Buffer& Buffer::column_ipv4(std::string_view name, std::uint32_t address) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "IPv4");
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::ipv4, address);
}
Buffer& Buffer::column_date(std::string_view name, std::int64_t millis) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "DATE");
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::date, millis);
}
Buffer& Buffer::column_binary(std::string_view name, std::span<const std::uint8_t> bytes) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "BINARY");
        return *this;
    }
    return checked(*this, *impl_, impl_->qwp.bytes(name, TypeCode::binary, bytes));
}
Buffer& Buffer::column_geohash(std::string_view name, std::uint64_t bits, std::uint8_t precision) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "GEOHASH");
        return *this;
    }
    return checked(*this, *impl_, impl_->qwp.geohash(name, bits, precision));
}
Buffer& Buffer::column_dec(std::string_view name, std::string_view text) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_dec(*lines, name, text);
        return *this;
    }
    return checked(*this, *impl_, impl_->qwp.decimal_text(name, text));
}
Buffer& Buffer::column_dec64(std::string_view name, std::int64_t unscaled, std::uint8_t scale) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_dec64(*lines, name, unscaled, scale);
        return *this;
    }
    std::uint64_t limbs[1] = {static_cast<std::uint64_t>(unscaled)};
    return checked(*this, *impl_, impl_->qwp.decimal(name, TypeCode::decimal64, limbs, scale));
}
Buffer& Buffer::column_dec128(std::string_view name, std::uint64_t lo, std::int64_t hi,
                              std::uint8_t scale) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_dec128(*lines, name, lo, hi, scale);
        return *this;
    }
    std::uint64_t limbs[2] = {lo, static_cast<std::uint64_t>(hi)};
    return checked(*this, *impl_, impl_->qwp.decimal(name, TypeCode::decimal128, limbs, scale));
}
Buffer& Buffer::column_arr(std::string_view name, std::span<const double> data,
                           std::span<const std::size_t> shape,
                           std::span<const std::ptrdiff_t> strides) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_arr_f64(*lines, name, data, shape, strides);
        return *this;
    }
    return checked(*this, *impl_, impl_->qwp.array(name, data, shape, strides));
}
Buffer& Buffer::column_arr(std::string_view name, std::span<const std::int64_t> data,
                           std::span<const std::size_t> shape,
                           std::span<const std::ptrdiff_t> strides) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::unsupported(*lines, name, "LONG array");
        return *this;
    }
    return checked(*this, *impl_, impl_->qwp.array(name, data, shape, strides));
}
Buffer& Buffer::column_arr_nested(std::string_view name, bool doubles,
                                  std::span<const std::size_t> shape, NestedFill fill,
                                  const void* nested) {
    // Shape and element count are checked before the scratch grows, so a huge claimed shape
    // cannot allocate; the stored copy re-checks everything (data size, limits, name).
    std::size_t elements = 1;
    for (const std::size_t d : shape) {
        if (d != 0 && elements > kMaxArrayElements / d) {
            elements = kMaxArrayElements + 1;
            break;
        }
        elements *= d;
    }
    const char* problem = elements > kMaxArrayElements ? "more than 2^26 elements" : nullptr;
    if (problem == nullptr) {
        void* out = nullptr;
        if (doubles) {
            impl_->array_f64.resize(elements);
            out = impl_->array_f64.data();
        } else {
            impl_->array_i64.resize(elements);
            out = impl_->array_i64.data();
        }
        if (!fill(nested, shape.data(), out))
            problem = "not rectangular";
    }
    if (problem != nullptr) {
        if (auto* lines = impl_->ilp.get())
            lines->discard_row();
        else
            impl_->qwp.rewind();
        questdb::detail::throw_failure(questdb::detail::fail(
            ErrorCode::array_error,
            "nested array is " + std::string(problem) + " (column '" + std::string(name) + "')"));
    }
    if (doubles)
        return column_arr(name, std::span<const double>(impl_->array_f64), shape);
    return column_arr(name, std::span<const std::int64_t>(impl_->array_i64), shape);
}
Buffer& Buffer::column_ts(std::string_view name, TimestampMicros value) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_ts_micros(*lines, name, value.as_i64());
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::timestamp, value.as_i64());
}
Buffer& Buffer::column_ts(std::string_view name, TimestampNanos value) {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::column_ts_nanos(*lines, name, value.as_i64());
        return *this;
    }
    return fixed(*this, *impl_, name, TypeCode::timestamp_nanos, value.as_i64());
}

void Buffer::at(TimestampMicros timestamp) {
    if (impl_->qwp.try_at(TypeCode::timestamp, timestamp.as_i64())) [[likely]]
        return;
    at_slow(*this, *impl_, TypeCode::timestamp, timestamp.as_i64());
}
void Buffer::at(TimestampNanos timestamp) {
    if (impl_->qwp.try_at(TypeCode::timestamp_nanos, timestamp.as_i64())) [[likely]]
        return;
    at_slow(*this, *impl_, TypeCode::timestamp_nanos, timestamp.as_i64());
}
void Buffer::at_now() {
    if (auto* lines = impl_->ilp.get()) {  // ILP mode: see src/ilp/buffer_bridge.hpp
        ilp::bridge::at_now(*lines);
        return;
    }
    checked(*this, *impl_, impl_->qwp.at_now());
}

std::size_t Buffer::len() const noexcept {
    if (impl_->ilp) {
        return impl_->ilp->size();
    }
    return impl_->qwp.len();
}
std::size_t Buffer::row_count() const noexcept {
    if (impl_->ilp) {
        return impl_->ilp->row_count();
    }
    return impl_->qwp.row_count();
}
bool Buffer::is_empty() const noexcept {
    if (impl_->ilp) {
        return impl_->ilp->empty();
    }
    return impl_->qwp.row_count() == 0 && !impl_->qwp.in_row();
}
bool Buffer::transactional() const noexcept {
    if (impl_->ilp) {
        return impl_->ilp->transactional();
    }
    return impl_->qwp.transactional();
}
std::size_t Buffer::max_name_len() const noexcept {
    return impl_->options.max_name_len;
}
void Buffer::clear() noexcept {
    if (impl_->ilp) {
        impl_->ilp->clear();
        return;
    }
    impl_->qwp.clear();
}

}  // namespace questdb::ingress
