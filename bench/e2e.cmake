# End-to-end loopback ingestion into the in-tree test server (sink mode) beside a raw socket
# writer and the encode-only rate; needs the test server library (tests/support).
if(TARGET questdb_test_server)
    questdb_add_bench(e2e_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/e2e_bench.cpp
        LIBS questdb_test_server)
else()
    message(STATUS "e2e_bench: skipped (the test server library questdb_test_server is absent)")
endif()
