# questdb_test_tls: throw-away CA, leaf and self-signed certificates generated at test run
# time (tls_certs.hpp). Link it with `LIBS questdb_test_tls` in questdb_add_test.
add_library(questdb_test_tls STATIC ${CMAKE_CURRENT_LIST_DIR}/tls_certs.cpp)
target_link_libraries(questdb_test_tls
    PUBLIC questdb_test_common OpenSSL::SSL OpenSSL::Crypto
    PRIVATE questdb_build_options)
