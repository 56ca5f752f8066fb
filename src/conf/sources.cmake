# questdb::conf: connect-string grammar, key table, typed settings and redaction.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/config.cpp
    ${CMAKE_CURRENT_LIST_DIR}/endpoints.cpp
    ${CMAKE_CURRENT_LIST_DIR}/grammar.cpp
    ${CMAKE_CURRENT_LIST_DIR}/key_table.cpp
    ${CMAKE_CURRENT_LIST_DIR}/scheme.cpp
    ${CMAKE_CURRENT_LIST_DIR}/validate.cpp
    ${CMAKE_CURRENT_LIST_DIR}/values.cpp)
