#pragma once

/// @file
/// Umbrella header: include this one to use the library.
///
/// Everything public lives under `include/questdb/`; none of it includes Boost, OpenSSL or
/// zstd, so the library's dependencies stay private to it.

#include "questdb/conf.hpp"
#include "questdb/error.hpp"
#include "questdb/version.hpp"
// QUESTDB_UMBRELLA_INCLUDES: subsystem headers are added below as they land.
#include "questdb/ingress/array_view.hpp"
#include "questdb/ingress/chunk.hpp"
#include "questdb/ingress/timestamp.hpp"
#include "questdb/ingress/buffer.hpp"
#include "questdb/ingress/sender.hpp"
#include "questdb/db.hpp"
#include "questdb/ingress/ack_level.hpp"
#include "questdb/ingress/borrowed_row_sender.hpp"
#include "questdb/ingress/rejection.hpp"
#include "questdb/ingress/connection_event.hpp"
#include "questdb/ingress/sf_column_sender.hpp"
#include "questdb/egress/reader.hpp"
#include "questdb/arrow.hpp"
