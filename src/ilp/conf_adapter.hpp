#pragma once

// Turns a parsed connect string into the ILP sender's settings.

#include "core/result.hpp"
#include "ilp/sender_config.hpp"
#include "questdb/conf.hpp"

namespace questdb::ilp {

/// Fails with config_error for a ws/wss scheme or several `addr` endpoints.
[[nodiscard]] detail::Result<SenderConfig> sender_config_from(const conf::Config& conf);

}  // namespace questdb::ilp
