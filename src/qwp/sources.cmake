# QWP wire codec: types, Gorilla, symbol dictionary, strict ingress decoder, message encoder.
target_sources(questdb_client PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/types.cpp
    ${CMAKE_CURRENT_LIST_DIR}/utf8.cpp
    ${CMAKE_CURRENT_LIST_DIR}/gorilla.cpp
    ${CMAKE_CURRENT_LIST_DIR}/symbol_dict.cpp
    ${CMAKE_CURRENT_LIST_DIR}/decoder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/encoder.cpp)
