# QWP encode throughput: Chunk and Buffer against memcpy of the same column bytes.
questdb_add_bench(encode_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/encode_bench.cpp)
