# cmake -P script: install BUILD_DIR into a fresh prefix, configure + build + run CONSUMER_SRC.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

include("${CMAKE_CURRENT_LIST_DIR}/run_step.cmake")

run_step(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run_step(${CMAKE_COMMAND} -S "${CONSUMER_SRC}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
if(NOT CONSUMER_EXE)
    set(CONSUMER_EXE consumer)
endif()
run_step("${WORK_DIR}/build/${CONSUMER_EXE}")
message(STATUS "consumer built against ${prefix} and ran")
