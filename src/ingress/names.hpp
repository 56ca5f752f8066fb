#pragma once

// QuestDB's naming rules for tables and columns, shared by Chunk, Buffer (and the ILP buffer).

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace questdb::ingress::names {

inline constexpr std::size_t kDefaultMaxNameLen = 127;

/// invalid_name: empty, longer than max_len bytes, a forbidden character, a leading or
/// trailing '.', or "..". invalid_utf8: not UTF-8.
questdb::detail::Status validate_table_name(std::string_view name,
                                            std::size_t max_len = kDefaultMaxNameLen);

/// invalid_name: empty, longer than max_len bytes, or a forbidden character (including '.'
/// and '-'). invalid_utf8: not UTF-8.
questdb::detail::Status validate_column_name(std::string_view name,
                                             std::size_t max_len = kDefaultMaxNameLen);

}  // namespace questdb::ingress::names
