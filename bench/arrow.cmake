# Arrow record batch -> QWP frames, beside a Chunk encode of the same columns and a memcpy.
questdb_add_bench(arrow_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/arrow_bench.cpp)
