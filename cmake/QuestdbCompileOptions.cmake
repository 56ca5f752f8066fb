# Compile options shared by every target of the project (never exported to users).
add_library(questdb_build_options INTERFACE)
target_compile_features(questdb_build_options INTERFACE cxx_std_20)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(questdb_build_options INTERFACE -Wall -Wextra -Wpedantic)
    if(QUESTDB_WARNINGS_AS_ERRORS)
        target_compile_options(questdb_build_options INTERFACE -Werror)
    endif()
endif()

if(QUESTDB_SANITIZE)
    string(REPLACE "," ";" _questdb_sanitizers "${QUESTDB_SANITIZE}")
    foreach(_s IN LISTS _questdb_sanitizers)
        if(NOT _s MATCHES "^(address|undefined|thread|leak)$")
            message(FATAL_ERROR "QUESTDB_SANITIZE: unknown sanitizer '${_s}'")
        endif()
    endforeach()
    # Sanitizers apply to everything built here, including tests and the test server.
    add_compile_options(-fsanitize=${QUESTDB_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    if("thread" IN_LIST _questdb_sanitizers AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # Asio uses std::atomic_thread_fence, which GCC's TSan cannot see (-Wtsan); the
        # warning is about the headers, not our code, and must not break -Werror builds.
        add_compile_options(-Wno-tsan)
    endif()
    add_link_options(-fsanitize=${QUESTDB_SANITIZE})
endif()

find_program(QUESTDB_CCACHE ccache)
if(QUESTDB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${QUESTDB_CCACHE}")
endif()
