#include "questdb/version.hpp"

namespace questdb {

std::string_view version() noexcept { return QUESTDB_VERSION_STRING; }

std::string_view client_id() noexcept { return "questdb-cpp/" QUESTDB_VERSION_STRING; }

}  // namespace questdb
