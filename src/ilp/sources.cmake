target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/decimal.cpp
    ${CMAKE_CURRENT_LIST_DIR}/line_buffer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/text_rules.cpp)
