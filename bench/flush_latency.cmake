# flush() latency percentiles (memory store-and-forward) against the in-tree sink server.
if(TARGET questdb_test_server)
    questdb_add_bench(flush_latency_bench
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/flush_latency_bench.cpp LIBS questdb_test_server)
endif()
