// Fuzzes the ILP/HTTP sender's handling of server responses (src/ilp/http_response.cpp): the
// HTTP parse with the production limits, the failure a non-2xx status becomes (QuestDB's JSON
// error body decoded into the message), the retry decision, and the GET /settings body that
// negotiates the protocol version.

#include <cstdlib>
#include <string_view>

#include "fuzz_support.hpp"
#include "ilp/http_response.hpp"
#include "ilp/transport.hpp"

namespace {

using namespace questdb;
using namespace questdb::ilp;

void write_seeds(fuzz::SeedWriter& seeds) {
    seeds.add("204", "HTTP/1.1 204 No Content\r\n\r\n");
    seeds.add("400-json",
              "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n"
              "Content-Length: 87\r\n\r\n"
              "{\"code\":\"invalid\",\"message\":\"failed to parse line protocol\",\"line\":2,"
              "\"errorId\":\"ab-12\"}");
    seeds.add("500-text", "HTTP/1.1 500 Oops\r\nContent-Type: text/plain\r\n\r\nboom");
    seeds.add("settings",
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
              "\r\n4d\r\n{\"config\":{\"line.proto.support.versions\":[1,2,3],"
              "\"cairo.max.file.name.length\":127}}\r\n0\r\n\r\n");
    seeds.add("json-error",
              "{\"code\":\"invalid\",\"message\":\"bad line\",\"line\":2,\"errorId\":\"x\"}");
    seeds.add(
        "json-settings",
        "{\"config\":{\"line.proto.support.versions\":[1,2],\"cairo.max.file.name.length\":127}}");
    seeds.add("401", "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\nno");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::write_seeds_if_asked(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // The input as a body on its own (what a response carries once parsed): reaches the JSON
    // paths without having to keep Content-Length consistent.
    (void)describe_server_error("application/json", bytes);
    (void)parse_server_settings(bytes, 127);
    auto parsed = parse_http_response(bytes);
    if (!parsed.ok()) {
        return 0;
    }
    const auto& response = parsed.value();
    (void)is_retriable_status(response.status);
    if (response.status < 200 || response.status >= 300) {
        (void)http_failure(response.status, response);
    }
    // The same body read as a /settings answer, and as a JSON error whatever the header said.
    (void)parse_server_settings(response.body, 127);
    (void)describe_server_error("application/json", response.body);
    return 0;
}
