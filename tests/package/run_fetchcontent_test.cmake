# cmake -P script: configure and build tests/package/fetchcontent (questdb-cpp as a shared
# library through FetchContent), run the API probe, and check that the shared library
# exports only questdb's API: no Boost, OpenSSL, zstd or internal (detail) symbols.
file(REMOVE_RECURSE "${WORK_DIR}")

include("${CMAKE_CURRENT_LIST_DIR}/run_step.cmake")

run_step(${CMAKE_COMMAND} -S "${PROJECT_DIR}" -B "${WORK_DIR}" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Debug
    # Unoptimised without debug info: this build proves linkage and exports, not speed, and
    # it compiles the whole library a second time in CI.
    "-DCMAKE_CXX_FLAGS_DEBUG=-O0"
    -DQUESTDB_SOURCE_DIR=${QUESTDB_SOURCE_DIR} -DAPI_PROBE_SOURCE=${API_PROBE_SOURCE})
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}")
run_step("${WORK_DIR}/api_probe")
message(STATUS "${step_output}")

file(GLOB_RECURSE libraries "${WORK_DIR}/libquestdb.so")
list(LENGTH libraries count)
if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one libquestdb.so under ${WORK_DIR}, found: ${libraries}")
endif()
run_step(nm -DC --defined-only "${libraries}")
string(REPLACE "\n" ";" symbols "${step_output}")
set(leaked "")
foreach(symbol IN LISTS symbols)
    # "<address> <kind> <demangled name>"; every export must be questdb API.
    if(symbol MATCHES "^[0-9a-f]+ [A-Za-z] (.*)$")
        set(name "${CMAKE_MATCH_1}")
        if(NOT name MATCHES "^(typeinfo for |typeinfo name for |vtable for |VTT for )?questdb::"
           OR name MATCHES "^questdb::(detail|qwp|ws|sf|pool|ilp)::")
            list(APPEND leaked "${name}")
        endif()
    endif()
endforeach()
if(leaked)
    list(LENGTH leaked n)
    list(SUBLIST leaked 0 20 shown)
    string(REPLACE ";" "\n" shown "${shown}")
    message(FATAL_ERROR "libquestdb.so exports ${n} internal symbols, e.g.:\n${shown}")
endif()
list(LENGTH symbols exported)
message(STATUS "libquestdb.so exports ${exported} symbols, all questdb API")
