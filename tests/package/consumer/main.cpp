// A minimal user program: it compiles against the installed headers only and links
// questdb::client from the installed package.
#include <questdb/questdb.hpp>

#include <cstdio>

int main() {
    try {
        throw questdb::Error(questdb::ErrorCode::config_error, "probe");
    } catch (const questdb::Error& e) {
        if (e.error_code() != questdb::ErrorCode::config_error) {
            return 1;
        }
    }
    std::printf("questdb-cpp %s\n", std::string(questdb::version()).c_str());
    return 0;
}
