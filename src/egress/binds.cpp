#include "egress/binds.hpp"

#include <string>

#include "egress/wire_format.hpp"
#include "qwp/utf8.hpp"
#include "qwp/wire.hpp"

namespace questdb::egress {

using detail::fail;
using detail::Status;

Status BindList::begin(ColumnKind kind) {
    if (count_ >= wire::kMaxBinds) {
        return fail(ErrorCode::limit_exceeded,
                    "bind $" + std::to_string(count_ + 1) + " exceeds the limit of 1024 binds");
    }
    qwp::ByteWriter w(bytes_);
    w.u8(static_cast<std::uint8_t>(kind));
    w.u8(0);  // null_flag: value present
    ++count_;
    return {};
}

template <typename T>
Status BindList::add_fixed(ColumnKind kind, T v) {
    if (auto s = begin(kind); !s) {
        return s;
    }
    qwp::ByteWriter(bytes_).le(v);
    return {};
}

Status BindList::add_var(ColumnKind kind, const void* data, std::size_t size) {
    if (size > wire::kMaxVarOffset) {
        return fail(ErrorCode::limit_exceeded,
                    "bind $" + std::to_string(count_ + 1) + " is larger than 2 GiB");
    }
    if (auto s = begin(kind); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    w.le(std::uint32_t{0});
    w.le(static_cast<std::uint32_t>(size));
    w.bytes(data, size);
    return {};
}

Status BindList::add_bool(bool v) {
    return add_fixed(ColumnKind::boolean, static_cast<std::uint8_t>(v ? 1 : 0));
}
Status BindList::add_i8(std::int8_t v) {
    return add_fixed(ColumnKind::byte, v);
}
Status BindList::add_i16(std::int16_t v) {
    return add_fixed(ColumnKind::short_, v);
}
Status BindList::add_i32(std::int32_t v) {
    return add_fixed(ColumnKind::int_, v);
}
Status BindList::add_i64(std::int64_t v) {
    return add_fixed(ColumnKind::long_, v);
}
Status BindList::add_f32(float v) {
    return add_fixed(ColumnKind::float_, v);
}
Status BindList::add_f64(double v) {
    return add_fixed(ColumnKind::double_, v);
}
Status BindList::add_char(char16_t v) {
    return add_fixed(ColumnKind::char_, static_cast<std::uint16_t>(v));
}
Status BindList::add_ipv4(std::uint32_t v) {
    return add_fixed(ColumnKind::ipv4, v);
}
Status BindList::add_timestamp_micros(std::int64_t v) {
    return add_fixed(ColumnKind::timestamp, v);
}
Status BindList::add_timestamp_nanos(std::int64_t v) {
    return add_fixed(ColumnKind::timestamp_nanos, v);
}
Status BindList::add_date_millis(std::int64_t v) {
    return add_fixed(ColumnKind::date, v);
}

Status BindList::add_uuid(Uuid v) {
    if (auto s = begin(ColumnKind::uuid); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    w.le(v.lo);
    w.le(v.hi);
    return {};
}

Status BindList::add_long256(const Long256& v) {
    if (auto s = begin(ColumnKind::long256); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    for (auto limb : v.limbs) {
        w.le(limb);
    }
    return {};
}

namespace {
Status check_scale(std::uint8_t scale, unsigned max, std::uint32_t index) {
    if (scale > max) {
        return fail(ErrorCode::invalid_decimal, "bind $" + std::to_string(index + 1) +
                                                    ": decimal scale " + std::to_string(scale) +
                                                    " exceeds " + std::to_string(max));
    }
    return {};
}
}  // namespace

Status BindList::add_decimal64(Decimal64 v) {
    if (auto s = check_scale(v.scale, 18, count_); !s) {
        return s;
    }
    if (auto s = begin(ColumnKind::decimal64); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    w.u8(v.scale);
    w.le(v.unscaled);
    return {};
}

Status BindList::add_decimal128(Decimal128 v) {
    if (auto s = check_scale(v.scale, 38, count_); !s) {
        return s;
    }
    if (auto s = begin(ColumnKind::decimal128); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    w.u8(v.scale);
    w.le(v.lo);
    w.le(v.hi);
    return {};
}

Status BindList::add_decimal256(const Decimal256& v) {
    if (auto s = check_scale(v.scale, wire::kMaxDecimalScale, count_); !s) {
        return s;
    }
    if (auto s = begin(ColumnKind::decimal256); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    w.u8(v.scale);
    for (auto limb : v.limbs) {
        w.le(limb);
    }
    return {};
}

Status BindList::add_geohash(Geohash v) {
    if (v.precision < 1 || v.precision > wire::kMaxGeohashBits) {
        return fail(ErrorCode::invalid_bind, "bind $" + std::to_string(count_ + 1) +
                                                 ": geohash precision " +
                                                 std::to_string(v.precision) + " is outside 1..60");
    }
    if (auto s = begin(ColumnKind::geohash); !s) {
        return s;
    }
    qwp::ByteWriter w(bytes_);
    w.varint(v.precision);
    const std::size_t width = (v.precision + 7u) / 8u;
    for (std::size_t i = 0; i < width; ++i) {
        w.u8(static_cast<std::uint8_t>(v.bits >> (8 * i)));
    }
    return {};
}

Status BindList::add_varchar(std::string_view v) {
    if (!qwp::is_valid_utf8(v)) {
        return fail(ErrorCode::invalid_utf8,
                    "bind $" + std::to_string(count_ + 1) + " is not valid UTF-8");
    }
    return add_var(ColumnKind::varchar, v.data(), v.size());
}

Status BindList::add_binary(std::span<const std::uint8_t> v) {
    return add_var(ColumnKind::binary, v.data(), v.size());
}

Status BindList::add_null(ColumnKind kind) {
    if (count_ >= wire::kMaxBinds) {
        return fail(ErrorCode::limit_exceeded,
                    "bind $" + std::to_string(count_ + 1) + " exceeds the limit of 1024 binds");
    }
    qwp::ByteWriter w(bytes_);
    w.u8(static_cast<std::uint8_t>(kind));
    w.u8(1);  // null_flag: bitmap follows
    w.u8(1);  // bitmap: row 0 is NULL
    ++count_;
    return {};
}

}  // namespace questdb::egress
