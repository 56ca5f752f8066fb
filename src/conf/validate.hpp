#pragma once

// Rules that involve more than one key (credentials, TLS, pool sizes, store-and-forward
// mode), and defaults that depend on the scheme or on other keys.

#include "conf/state.hpp"

namespace questdb::conf::detail {

/// Rejects two spellings of one setting (`user` and `username`, `pool_size` and
/// `sender_pool_min`, ...).
Status check_spellings(const Config::State& state);

/// Applies scheme- and key-dependent defaults, then checks every cross-key rule.
Status resolve_and_validate(Config::State& state);

}  // namespace questdb::conf::detail
