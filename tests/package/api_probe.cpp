// Touches the public API across subsystems (configuration, errors, the pool, Chunk, Buffer,
// the ILP sender, the reader) without a server, so that a build against the library proves
// those declarations are exported (a missing QUESTDB_API fails the link of this program).
#include <cstdint>
#include <cstdio>
#include <questdb/questdb.hpp>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what);
        ++failures;
    }
}

template <typename F>
questdb::ErrorCode error_of(F&& f) {
    try {
        f();
    } catch (const questdb::Error& e) {
        return e.error_code();
    }
    return questdb::ErrorCode{};
}

}  // namespace

int main() {
    using questdb::ErrorCode;
    const auto config = questdb::conf::Config::parse(
        "ws::addr=127.0.0.1:1;username=probe;password=probe-secret-42;");
    check(config.to_string().find("probe-secret-42") == std::string::npos, "secrets redacted");
    check(error_of([] { (void)questdb::conf::Config::parse("ws::nope=1;"); }) ==
              ErrorCode::config_error,
          "a bad key is config_error");

    auto db = questdb::QuestDb::connect("ws::addr=127.0.0.1:1;");
    check(error_of([&] { auto sender = db.borrow_column_sender(); }) == ErrorCode::socket_error,
          "nothing listens on port 1");
    check(error_of([&] { auto reader = db.borrow_reader(); }) != ErrorCode{},
          "reader borrow fails");

    const std::vector<std::int64_t> ids{1, 2, 3};
    const std::vector<std::int64_t> stamps{10, 20, 30};
    questdb::ingress::Chunk chunk("trades");
    chunk.column_i64("id", ids).designated_timestamp_nanos(stamps);
    check(chunk.row_count() == 3, "chunk rows");

    auto buffer = db.new_buffer();
    buffer.table("trades")
        .symbol("sym", "A")
        .column_f64("px", 1.5)
        .at(questdb::ingress::TimestampNanos(1));
    check(error_of([&] { buffer.table("bad\nname"); }) != ErrorCode{}, "bad table name rejected");

    check(error_of([] {
              auto sender = questdb::ingress::Sender::from_conf("http::addr=127.0.0.1:1;");
              auto rows = sender.new_buffer();
              rows.table("t").column_i64("x", 1).at_now();
              sender.flush(rows);
          }) != ErrorCode{},
          "ILP/HTTP to a closed port fails with an Error");
    std::printf("questdb-cpp %s: api probe %s\n", std::string(questdb::version()).c_str(),
                failures == 0 ? "passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
