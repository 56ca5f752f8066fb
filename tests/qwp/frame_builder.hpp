#pragma once

// Hand-assembles QWP ingress messages for decoder tests: the header is patched on finish().

#include <cstdint>
#include <string_view>
#include <vector>

#include "qwp/types.hpp"
#include "qwp/wire.hpp"

namespace questdb::test {

class FrameBuilder {
  public:
    explicit FrameBuilder(std::uint8_t flags, std::uint16_t tables = 1) : w_(bytes_) {
        w_.le<std::uint32_t>(qwp::kMagic);
        w_.u8(qwp::kVersion1);
        w_.u8(flags);
        w_.le<std::uint16_t>(tables);
        w_.le<std::uint32_t>(0);
    }
    FrameBuilder& u8(std::uint8_t v) { return w_.u8(v), *this; }
    FrameBuilder& varint(std::uint64_t v) { return w_.varint(v), *this; }
    template <typename T>
    FrameBuilder& le(T v) {
        return w_.le<T>(v), *this;
    }
    FrameBuilder& str(std::string_view s) {
        w_.varint(s.size());
        w_.bytes(s);
        return *this;
    }
    FrameBuilder& raw(std::string_view s) { return w_.bytes(s), *this; }
    FrameBuilder& column(std::string_view name, qwp::TypeCode type) {
        str(name);
        return u8(static_cast<std::uint8_t>(type));
    }
    std::vector<std::uint8_t> finish() {
        w_.patch_le<std::uint32_t>(8, static_cast<std::uint32_t>(bytes_.size() - 12));
        return bytes_;
    }

  private:
    std::vector<std::uint8_t> bytes_;
    qwp::ByteWriter w_;
};

}  // namespace questdb::test
