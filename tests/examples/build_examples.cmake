# cmake -P script: install BUILD_DIR into a fresh prefix, then configure and build
# EXAMPLES_SRC against it with find_package(questdb), warnings as errors.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

include("${CMAKE_CURRENT_LIST_DIR}/../package/run_step.cmake")

set(launcher "")
if(LAUNCHER)
    set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
run_step(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run_step(${CMAKE_COMMAND} -S "${EXAMPLES_SRC}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"
    "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Werror" ${launcher})
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build" -j 2)
message(STATUS "examples built against ${prefix}")
