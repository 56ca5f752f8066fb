# ILP encode throughput (text v1 and binary v2) beside the QWP Buffer build+encode of the same
# rows and a memcpy of the produced ILP bytes, and (S1) ILP/HTTP vs QWP end to end into the
# in-tree test server, all in one run.
if(TARGET questdb_test_server)
    questdb_add_bench(ilp_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/ilp_bench.cpp
        LIBS questdb_test_server)
endif()
