#pragma once

#include <memory>

#include "questdb/conf.hpp"
#include "questdb/ingress/sender.hpp"

namespace questdb::detail {

class SenderLease;

/// Wraps a borrowed sender core as a `Sender` (the pool's row sender).
ingress::Sender make_row_sender(std::unique_ptr<SenderLease> lease, const conf::Config& config);

}  // namespace questdb::detail
