target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/blocking.cpp
    ${CMAKE_CURRENT_LIST_DIR}/connection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tls.cpp
    ${CMAKE_CURRENT_LIST_DIR}/upgrade.cpp
    ${CMAKE_CURRENT_LIST_DIR}/upgrade_response.cpp
    ${CMAKE_CURRENT_LIST_DIR}/walk.cpp)
