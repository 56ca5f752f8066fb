// Fuzzes the in-tree test server's ILP ingestion (tests/support/server): the line parser
// (text v1, binary doubles and arrays v2, decimals v3) as the HTTP /write handler runs it on a
// whole body or as the TCP session runs it line by line, then the commit with QuestDB's ILP
// cast rules into the server's tables. Byte 0 picks the path and the timestamp precision.

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "ilp_parser.hpp"
#include "storage.hpp"

namespace {

using namespace questdb;
using namespace questdb::test_server::detail;

// Every line the official clients agree on (shared/testdata/ilp), text and binary forms.
void write_seeds(fuzz::SeedWriter& seeds) {
    const auto text = test::read_text_file(test::testdata_path("ilp/ilp-client-interop-test.json"));
    const auto cases = boost::json::parse(text).as_array();
    int n = 0;
    for (const auto& item : cases) {
        const auto& c = item.as_object();
        const auto& result = c.at("result").as_object();
        if (result.at("status").as_string() != "SUCCESS") {
            continue;
        }
        std::vector<std::string> lines;
        if (const auto* line = result.if_contains("line")) {
            lines.emplace_back(line->as_string());
        }
        if (const auto* any = result.if_contains("anyLines"); any && !any->as_array().empty()) {
            lines.emplace_back(any->as_array().front().as_string());
        }
        if (const auto* b64 = result.if_contains("binaryBase64")) {
            namespace base64 = boost::beast::detail::base64;
            const std::string_view encoded = b64->as_string();
            std::string decoded(base64::decoded_size(encoded.size()), '\0');
            decoded.resize(base64::decode(decoded.data(), encoded.data(), encoded.size()).first);
            lines.push_back(std::move(decoded));
        }
        for (auto& line : lines) {
            if (line.empty() || line.back() != '\n') {
                line.push_back('\n');
            }
            for (const std::uint8_t mode : {0, 1}) {
                fuzz::Bytes input{mode};
                input.insert(input.end(), line.begin(), line.end());
                seeds.add("interop-" + std::to_string(n++), input);
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t mode = data[0];
    const std::span<const std::uint8_t> body(data + 1, size - 1);
    std::vector<IncomingBlock> blocks;
    if ((mode & 1) != 0) {  // HTTP /write: one body, all or nothing
        static constexpr IlpPrecision kPrecisions[] = {IlpPrecision::nanos,   IlpPrecision::micros,
                                                       IlpPrecision::millis,  IlpPrecision::seconds,
                                                       IlpPrecision::minutes, IlpPrecision::hours};
        std::size_t error_line = 0;
        std::string error;
        if (!parse_ilp_body(body, kPrecisions[(mode >> 1) % 6], blocks, error_line, error)) {
            return 0;
        }
    } else {  // TCP: line by line until an incomplete or malformed line
        std::size_t pos = 0;
        while (pos < body.size()) {
            IncomingBlock block;
            const auto r = parse_ilp_line(body.subspan(pos), IlpPrecision::nanos, block);
            if (r.outcome != IlpParseOutcome::line) {
                break;
            }
            if (r.consumed == 0) {
                __builtin_trap();  // the server's read loop would spin forever
            }
            pos += r.consumed;
            if (!r.blank) {
                blocks.push_back(std::move(block));
            }
        }
    }
    Database db(false);
    CommitResult committed;
    if (!db.commit(blocks, Coercion::ilp, committed)) {
        (void)db.dump_json();
    }
    return 0;
}
