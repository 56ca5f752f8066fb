# questdb_fault_proxy: the loopback fault-injecting proxy (fault_proxy.hpp) used by the soak
# test, and its own tests. Included from tests/support/CMakeLists.txt.
add_library(questdb_fault_proxy STATIC
    ${CMAKE_CURRENT_LIST_DIR}/fault_proxy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fault_proxy_plan.cpp)
target_link_libraries(questdb_fault_proxy
    PUBLIC questdb_test_common Threads::Threads
    PRIVATE questdb_build_options Boost::headers)

if(QUESTDB_BUILD_TESTS)
    include(QuestdbTesting)
    questdb_add_test(fault_proxy_test
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fault_proxy_test.cpp
        LABELS e2e concurrency
        LIBS questdb_fault_proxy questdb_test_server Boost::headers
        TIMEOUT 120)
endif()
