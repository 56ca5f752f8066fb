#pragma once

// Strict InfluxDB Line Protocol parser (text v1, binary doubles/arrays v2, decimals v3),
// producing one IncomingBlock of one row per line.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "storage.hpp"

namespace questdb::test_server::detail {

/// Unit of a designated timestamp without suffix (the HTTP `precision` parameter).
enum class IlpPrecision { nanos, micros, millis, seconds, minutes, hours };

enum class IlpParseOutcome { line, incomplete, error };

struct IlpLineResult {
    IlpParseOutcome outcome = IlpParseOutcome::incomplete;
    std::size_t consumed = 0;  ///< bytes of the line including its '\n' (outcome line)
    bool blank = false;        ///< an empty line: no block produced
    std::string error;         ///< outcome error
};

/// Parses the line starting at data[0]. `incomplete` when no terminating '\n' is in `data`.
IlpLineResult parse_ilp_line(std::span<const std::uint8_t> data, IlpPrecision precision,
                             IncomingBlock& out);

/// Parses a whole ILP/HTTP body. On error returns false with the 1-based line and message.
bool parse_ilp_body(std::span<const std::uint8_t> body, IlpPrecision precision,
                    std::vector<IncomingBlock>& out, std::size_t& error_line, std::string& error);

/// QuestDB's name rules; returns an error message or empty.
std::string check_table_name(std::string_view name);
std::string check_column_name(std::string_view name);

}  // namespace questdb::test_server::detail
