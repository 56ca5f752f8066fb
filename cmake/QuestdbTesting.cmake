# questdb_add_test(<name> SOURCES <files...> [LABELS <labels...>] [LIBS <targets...>]
#                  [TIMEOUT <seconds>])
#
# One GoogleTest executable registered with ctest as one test (the executable's own output
# lists every case). Labels select suites in scripts/test.sh: "unit" (fast, no sockets),
# "e2e" (test server over loopback), "concurrency" (multithreaded and also run under TSan;
# a multithreaded suite gets it once a TSan run is clean), "slow", "package".
# Every suite except "package" and "slow" also runs under ASan+UBSan.

function(questdb_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
    if(NOT ARG_LABELS)
        set(ARG_LABELS unit)
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 600)
    endif()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE
        questdb::client questdb_build_options questdb_test_common ${ARG_LIBS}
        GTest::gtest GTest::gtest_main GTest::gmock)
    add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
