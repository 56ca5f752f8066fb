questdb_add_test(ingress_server_response_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/server_response_test.cpp LABELS unit)
questdb_add_test(ingress_in_flight_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/in_flight_test.cpp LABELS unit)
questdb_add_test(ingress_retry_policy_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/retry_policy_test.cpp LABELS unit)
