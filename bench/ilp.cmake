# ILP encode throughput (text v1 and binary v2) beside the QWP Buffer encode of the same rows
# and a memcpy of the produced ILP bytes, all in one run.
questdb_add_bench(ilp_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/ilp_bench.cpp)
