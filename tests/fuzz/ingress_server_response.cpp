// Fuzzes the parser of what a QWP ingress server sends back (src/ingress/server_response.cpp):
// OK, error and durable-ack frames, as the delivery loop feeds them one WebSocket message at a
// time. Every accepted frame must re-encode to the same bytes (the format has one encoding),
// and the status helpers the delivery loop applies to it must be total.

#include <cstdlib>

#include "fuzz_support.hpp"
#include "ingress/server_response.hpp"

namespace {

using namespace questdb;
using namespace questdb::ingress;

void write_seeds(fuzz::SeedWriter& seeds) {
    std::vector<std::uint8_t> frame;
    ServerResponse ok;
    ok.status = 0x00;
    ok.sequence = 41;
    ok.tables = {{"trades", 7}, {"quotes", 1}};
    encode_server_response(ok, frame);
    seeds.add("ok-two-tables", frame);
    ok.tables.clear();
    encode_server_response(ok, frame);
    seeds.add("ok-no-tables", frame);
    ServerResponse durable;
    durable.status = 0x02;
    durable.tables = {{"trades", 9}};
    encode_server_response(durable, frame);
    seeds.add("durable-ack", frame);
    for (const std::uint8_t status : {0x03, 0x05, 0x06, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x2A}) {
        ServerResponse error;
        error.status = status;
        error.sequence = 3;
        error.message = "column 'px' has type DOUBLE";
        encode_server_response(error, frame);
        seeds.add("error-" + std::to_string(status), frame);
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static ServerResponse response;  // reused like the delivery loop does
    const std::span<const std::uint8_t> frame(data, size);
    if (!parse_server_response(frame, response).ok()) {
        return 0;
    }
    (void)status_name(response.status);
    (void)classify_rejection(response.status);
    (void)error_code_for_status(response.status);
    std::vector<std::uint8_t> again;
    encode_server_response(response, again);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) {
        std::abort();  // accepted bytes that do not round-trip: the parser is not strict
    }
    return 0;
}
