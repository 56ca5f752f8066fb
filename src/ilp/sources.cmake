# ILP senders: the line writer (v1-v3), HTTP and TCP transports, ECDSA auth, TLS glue.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/buffer_bridge.cpp
    ${CMAKE_CURRENT_LIST_DIR}/conf_adapter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/connection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/decimal.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ecdsa_auth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/http_response.cpp
    ${CMAKE_CURRENT_LIST_DIR}/http_transport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ilp_sender.cpp
    ${CMAKE_CURRENT_LIST_DIR}/line_buffer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sender.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tcp_transport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/text_rules.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tls_setup.cpp)
