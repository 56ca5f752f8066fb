#pragma once

/// @file
/// Library version.

#include <string_view>

#include "questdb/export.hpp"

namespace questdb {

/// The library version as "major.minor.patch".
/// @par Thread safety: safe from any thread. Never throws.
QUESTDB_API std::string_view version() noexcept;

/// The client identifier sent in `X-QWP-Client-Id`: "questdb-cpp/<version>".
/// @par Thread safety: safe from any thread. Never throws.
QUESTDB_API std::string_view client_id() noexcept;

}  // namespace questdb
