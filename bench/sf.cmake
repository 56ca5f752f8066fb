# Store-and-forward append throughput: disk (sf_dir) against memory mode in the same run,
# plus the CRC32C and memcpy costs underneath.
questdb_add_bench(sf_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/sf_bench.cpp)
