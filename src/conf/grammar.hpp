#pragma once

// The connect-string grammar alone: splits `scheme::key=value;...` into its parts, undoes
// `;;` escapes and rejects what the reference grammar forbids. Knows nothing about keys.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "conf/state.hpp"

namespace questdb::conf::detail {

struct RawParam {
    std::string_view key;  ///< Views the input.
    std::string value;     ///< Unescaped.
    std::size_t position;  ///< Byte offset of the key in the input.
};

struct RawConf {
    std::string_view scheme;  ///< Views the input.
    std::vector<RawParam> params;
};

/// Tokenizes `input`. `is_secret(key)` tells which keys hold secrets, so that a malformed
/// fragment following one (likely an unescaped ';' inside it) is never echoed.
Result<RawConf> tokenize(std::string_view input, bool (*is_secret)(std::string_view key));

/// Escapes a value for printing in a connect string (';' becomes ";;").
std::string escape_value(std::string_view value);

}  // namespace questdb::conf::detail
