questdb_add_bench(egress_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/egress_bench.cpp)
