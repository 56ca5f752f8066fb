// The ILP/HTTP sender's reading of server responses (src/ilp/http_response.cpp), including the
// inputs tests/fuzz/ilp_http_response.cpp found crashing.

#include "ilp/http_response.hpp"

#include <gtest/gtest.h>

#include "ilp/transport.hpp"

namespace {

using questdb::ErrorCode;
using namespace questdb::ilp;

TEST(IlpHttpResponse, ParsesAChunkedJsonError) {
    auto r = parse_http_response(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n1d\r\n{\"message\":\"bad\",\"line\":2}   \r\n0\r\n\r\n");
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(r.value().status, 400u);
    EXPECT_EQ(r.value().content_type, "application/json");
    EXPECT_TRUE(r.value().keep_alive);
    const auto failure = http_failure(400, r.value());
    EXPECT_EQ(failure.code, ErrorCode::server_flush_error);
    EXPECT_NE(failure.message.find("bad [line: 2]"), std::string::npos) << failure.message;
}

// Found by fuzzing: Beast asserts when end-of-stream comes before any byte.
TEST(IlpHttpResponse, EmptyOrTruncatedInputIsASocketError) {
    for (const char* bytes :
         {"", "HTTP/1.1 200", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"}) {
        auto r = parse_http_response(bytes);
        ASSERT_FALSE(r.ok()) << bytes;
        EXPECT_EQ(r.failure().code, ErrorCode::socket_error) << bytes;
    }
}

// Found by fuzzing: a JSON integer above INT64_MAX made boost::json throw out of the error
// description (a std::system_error escaping the sender instead of questdb::Error).
TEST(IlpHttpResponse, HugeJsonIntegersDoNotThrow) {
    std::string message;
    ASSERT_NO_THROW(message = describe_server_error(
                        "application/json",
                        R"({"message":"bad line","line":18446744073709551615,"errorId":"x"})"));
    EXPECT_EQ(message, "bad line [id: x]");

    questdb::detail::Result<ServerSettings> settings = ServerSettings{};
    ASSERT_NO_THROW(settings = parse_server_settings(
                        R"({"config":{"line.proto.support.versions":[1,18446744073709551615],)"
                        R"("cairo.max.file.name.length":18446744073709551615}})",
                        127));
    ASSERT_TRUE(settings.ok());
    ASSERT_EQ(settings.value().versions.size(), 1u);
    EXPECT_EQ(settings.value().versions[0], ProtocolVersion::v1);
    EXPECT_EQ(settings.value().max_name_len, 127u);
}

}  // namespace
