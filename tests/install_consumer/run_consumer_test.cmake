# Checks that an installed mesa works for a consumer. Run as
#   cmake -DMESA_BINARY_DIR=<mesa build dir> -DCONSUMER_SOURCE_DIR=<this dir>
#         -DSCRATCH_DIR=<scratch dir> -P run_consumer_test.cmake
# Steps, each fatal on failure with its output:
#   1. cmake --install MESA_BINARY_DIR into SCRATCH_DIR/prefix;
#   2. configure, build and run this folder's project with
#      find_package(mesa CONFIG) and CMAKE_PREFIX_PATH=SCRATCH_DIR/prefix;
#   3. compile and run main.cc with the flags of
#      `pkg-config --cflags --libs --static mesa` from the installed mesa.pc.
cmake_minimum_required(VERSION 3.25)

foreach(var MESA_BINARY_DIR CONSUMER_SOURCE_DIR SCRATCH_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "install_consumer: pass -D${var}=...")
  endif()
endforeach()

set(prefix "${SCRATCH_DIR}/prefix")
file(REMOVE_RECURSE "${SCRATCH_DIR}")
file(MAKE_DIRECTORY "${SCRATCH_DIR}")

# run_step(NAME COMMAND...): runs the command; stops with its output if it
# fails. Its standard output is left in step_output.
function(run_step name)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR
      "install_consumer: ${name} FAILED (exit ${rc})\n"
      "command: ${cmd}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  message(STATUS "install_consumer: ${name}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# The compiler mesa was built with, so the consumer links the same ABI.
set(cxx "")
file(STRINGS "${MESA_BINARY_DIR}/CMakeCache.txt" cxx_line
     REGEX "^CMAKE_CXX_COMPILER:[A-Z]+=")
if(cxx_line)
  string(REGEX REPLACE "^CMAKE_CXX_COMPILER:[A-Z]+=" "" cxx "${cxx_line}")
endif()
if(NOT cxx)
  find_program(cxx NAMES c++ g++ clang++ REQUIRED)
endif()

# 1. Install.
run_step("cmake --install" "${CMAKE_COMMAND}" --install "${MESA_BINARY_DIR}"
         --prefix "${prefix}")

# 2. find_package(mesa CONFIG).
set(generator "")
find_program(ninja NAMES ninja ninja-build)
if(ninja)
  set(generator -G Ninja)
endif()
set(build "${SCRATCH_DIR}/cmake_build")
run_step("configure consumer with find_package(mesa)"
         "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${build}"
         ${generator} -DCMAKE_BUILD_TYPE=Release
         "-DCMAKE_CXX_COMPILER=${cxx}" "-DCMAKE_PREFIX_PATH=${prefix}")
run_step("build consumer" "${CMAKE_COMMAND}" --build "${build}")
run_step("run consumer (find_package)" "${build}/mesa_consumer")
if(NOT step_output MATCHES "mesa consumer OK")
  message(FATAL_ERROR "install_consumer: unexpected output: ${step_output}")
endif()
message(STATUS "${step_output}")

# 3. pkg-config.
find_program(pkg_config NAMES pkg-config pkgconf)
if(NOT pkg_config)
  message(FATAL_ERROR "install_consumer: pkg-config not found")
endif()
file(GLOB_RECURSE pc_files "${prefix}/*/mesa.pc")
if(NOT pc_files)
  message(FATAL_ERROR "install_consumer: no mesa.pc installed under ${prefix}")
endif()
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
run_step("pkg-config --cflags --libs --static mesa"
         "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${pc_dir}"
         "${pkg_config}" --cflags --libs --static mesa)
string(STRIP "${step_output}" pc_flags)
message(STATUS "install_consumer: pkg-config flags: ${pc_flags}")
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
set(pc_binary "${SCRATCH_DIR}/mesa_consumer_pkgconfig")
run_step("compile consumer with pkg-config flags"
         "${cxx}" "${CONSUMER_SOURCE_DIR}/main.cc" -o "${pc_binary}" ${pc_flags})
run_step("run consumer (pkg-config)" "${pc_binary}")
if(NOT step_output MATCHES "mesa consumer OK")
  message(FATAL_ERROR "install_consumer: unexpected output: ${step_output}")
endif()
message(STATUS "install_consumer: PASSED")
