# libFuzzer builds (QUESTDB_BUILD_FUZZ=ON). Included before src/ so that the library itself is
# compiled with coverage instrumentation: without it the fuzzer sees only the harness.
# The targets themselves are defined in tests/fuzz/CMakeLists.txt.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "QUESTDB_BUILD_FUZZ needs clang (libFuzzer): configure with CXX=clang++, "
                        "or use scripts/fuzz.sh")
endif()
add_compile_options(-fsanitize=fuzzer-no-link)
