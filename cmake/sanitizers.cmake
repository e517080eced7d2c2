# Sanitizer builds and clang's thread-safety analysis, for every target (tests included).
#
#   -DSLUICE_SANITIZE=address,undefined   AddressSanitizer (with LeakSanitizer) + UBSan
#   -DSLUICE_SANITIZE=thread              ThreadSanitizer
#
# scripts/sanitize configures both with clang 16 (docs/testing.md). Debian's libraries
# (libstdc++, Boost's compiled parts, GoogleTest, curl, SQLite) are not instrumented:
# ASan and UBSan check only our code, and TSan still sees their locking because it
# intercepts the pthread calls they make.

set(SLUICE_SANITIZE "" CACHE STRING
    "Sanitizers for every target: address,undefined | thread | empty for none")

if(SLUICE_SANITIZE)
  string(REPLACE "," ";" sluice_sanitizers "${SLUICE_SANITIZE}")
  foreach(s IN LISTS sluice_sanitizers)
    if(NOT s MATCHES "^(address|undefined|thread)$")
      message(FATAL_ERROR "SLUICE_SANITIZE: unknown sanitizer '${s}' (address, undefined, thread)")
    endif()
  endforeach()
  if("thread" IN_LIST sluice_sanitizers AND "address" IN_LIST sluice_sanitizers)
    message(FATAL_ERROR "SLUICE_SANITIZE: thread cannot be combined with address")
  endif()

  # Frame pointers give the sanitizers' fast unwinder whole stacks in reports.
  set(sluice_sanitize_flags -fsanitize=${SLUICE_SANITIZE} -fno-omit-frame-pointer)
  if("undefined" IN_LIST sluice_sanitizers)
    # Undefined behaviour fails the test that hit it instead of printing and going on.
    list(APPEND sluice_sanitize_flags -fno-sanitize-recover=all)
  endif()
  add_compile_options(${sluice_sanitize_flags})
  add_link_options(${sluice_sanitize_flags})
  if("address" IN_LIST sluice_sanitizers)
    # libstdc++'s cheap precondition checks (operator[] bounds, front() of empty, ...).
    add_compile_definitions(_GLIBCXX_ASSERTIONS)
  endif()
  message(STATUS "sluice: sanitizers ${SLUICE_SANITIZE}")
endif()

# Build type "Sanitize" (what scripts/sanitize uses): -O1 keeps the tests quick under
# the sanitizers' slowdown without inlining away the stacks in their reports; line
# tables are all a report needs and compile and link much faster than full debug info.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -gline-tables-only" CACHE STRING "Flags of build type Sanitize")
else()
  set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -g1" CACHE STRING "Flags of build type Sanitize")
endif()

# clang checks the GUARDED_BY/REQUIRES annotations on locks (DESIGN.md, "Style"); with
# -Werror a violation fails the build. GCC has no such analysis and ignores them.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options(-Wthread-safety)
endif()
