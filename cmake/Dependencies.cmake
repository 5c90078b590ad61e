# Cap'n Proto, spdlog (+ fmt) and GoogleTest.
#
# Native builds and MSVC + vcpkg find installed packages. The cross builds here find Cap'n
# Proto (and GoogleTest) under BRIDGE32_DEPS_PREFIX, built by scripts/setup.sh, and use spdlog
# and fmt header-only from BRIDGE32_HEADERS_ONLY, a directory holding only spdlog/ and fmt/.

# The schema compiler always runs on the build machine.
find_program(CAPNP_EXECUTABLE capnp)
find_program(CAPNPC_CXX_EXECUTABLE capnpc-c++)
find_package(CapnProto CONFIG REQUIRED)

set(BRIDGE32_HEADERS_ONLY "" CACHE PATH "spdlog + fmt headers for header-only use (cross builds)")
add_library(bridge32_logging INTERFACE)
if(BRIDGE32_HEADERS_ONLY)
  target_include_directories(bridge32_logging SYSTEM INTERFACE "${BRIDGE32_HEADERS_ONLY}")
  target_compile_definitions(bridge32_logging INTERFACE
    SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
else()
  find_package(spdlog CONFIG REQUIRED)
  target_link_libraries(bridge32_logging INTERFACE spdlog::spdlog)
endif()

if(BRIDGE32_HOST)
  find_package(GTest CONFIG QUIET)
  if(NOT GTest_FOUND)
    find_package(GTest REQUIRED)
  endif()
endif()
