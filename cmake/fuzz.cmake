# libFuzzer targets (fuzz/), built by scripts/fuzz with clang 16 in build-fuzz/:
#
#   -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=address,undefined
#
# Every library is compiled with libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link) so the fuzzer sees the branches of the code under test;
# only the fuzz targets link libFuzzer's main (-fsanitize=fuzzer). The sanitizers come
# from cmake/sanitizers.cmake, as in the ASan build. docs/testing.md, "Fuzzing".

option(SLUICE_FUZZ "Build the libFuzzer targets in fuzz/ (clang only)" OFF)

if(SLUICE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SLUICE_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-16")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  message(STATUS "sluice: libFuzzer targets in fuzz/ (target 'fuzzers')")
endif()

# sluice_fuzzer(NAME SOURCES... LIBS ...): one libFuzzer binary fuzz_NAME, built by the
# 'fuzzers' target; scripts/fuzz runs it on fuzz/corpus/NAME and fuzz/regressions/NAME.
function(sluice_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(fuzz_${name} ${ARG_SOURCES})
  target_link_libraries(fuzz_${name} PRIVATE ${ARG_LIBS})
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzzers fuzz_${name})
endfunction()
