#pragma once

// The project's internal Status/Result, visible as egress::detail:: (the public egress headers
// already use that namespace for the view data).

#include "core/result.hpp"

namespace questdb::egress::detail {
using ::questdb::detail::fail;
using ::questdb::detail::Failure;
using ::questdb::detail::Result;
using ::questdb::detail::Status;
using ::questdb::detail::throw_failure;
using ::questdb::detail::throw_if_error;
using ::questdb::detail::value_or_throw;
}  // namespace questdb::egress::detail
