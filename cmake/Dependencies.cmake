# Cap'n Proto, spdlog (+ fmt), libffi and GoogleTest.
#
# Native builds and MSVC + vcpkg find installed packages. The cross builds here find Cap'n
# Proto (and GoogleTest) under BRIDGE32_DEPS_PREFIX, built by scripts/setup.sh, and use the
# headers of spdlog and fmt from BRIDGE32_HEADERS_ONLY, a directory holding only spdlog/ and fmt/,
# with spdlog's sources from BRIDGE32_SPDLOG_SOURCES compiled once.

# The schema compiler always runs on the build machine.
find_program(CAPNP_EXECUTABLE capnp)
find_program(CAPNPC_CXX_EXECUTABLE capnpc-c++)
find_package(CapnProto CONFIG REQUIRED)

set(BRIDGE32_HEADERS_ONLY "" CACHE PATH "spdlog + fmt headers for header-only use (cross builds)")
set(BRIDGE32_SPDLOG_SOURCES "" CACHE PATH
    "spdlog's src/ of the same version (Debian's source package): compiled once (cross builds)")
add_library(bridge32_logging INTERFACE)
if(BRIDGE32_HEADERS_ONLY AND BRIDGE32_SPDLOG_SOURCES)
  # spdlog compiled once, here, with fmt header-only: header-only spdlog would compile its
  # whole implementation again in every file that logs (about 5 s each, three toolchains).
  # (Only for building: the archives hold what they use, and no public header includes spdlog.)
  add_library(bridge32_spdlog STATIC
    "${BRIDGE32_SPDLOG_SOURCES}/spdlog.cpp" "${BRIDGE32_SPDLOG_SOURCES}/stdout_sinks.cpp"
    "${BRIDGE32_SPDLOG_SOURCES}/color_sinks.cpp" "${BRIDGE32_SPDLOG_SOURCES}/async.cpp")
  target_include_directories(bridge32_spdlog SYSTEM PUBLIC $<BUILD_INTERFACE:${BRIDGE32_HEADERS_ONLY}>)
  target_compile_definitions(bridge32_spdlog PUBLIC
    SPDLOG_COMPILED_LIB SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
  set_target_properties(bridge32_spdlog PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME spdlog)
  find_package(Threads REQUIRED)
  target_link_libraries(bridge32_spdlog PUBLIC Threads::Threads)
  target_link_libraries(bridge32_logging INTERFACE bridge32_spdlog)
elseif(BRIDGE32_HEADERS_ONLY)
  target_include_directories(bridge32_logging SYSTEM INTERFACE $<BUILD_INTERFACE:${BRIDGE32_HEADERS_ONLY}>)
  target_compile_definitions(bridge32_logging INTERFACE
    SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
else()
  find_package(spdlog CONFIG REQUIRED)
  target_link_libraries(bridge32_logging INTERFACE spdlog::spdlog)
endif()
set_target_properties(bridge32_logging PROPERTIES EXPORT_NAME logging)

if(BRIDGE32_HOST AND BRIDGE32_BUILD_TESTS)
  find_package(GTest CONFIG QUIET)
  if(NOT GTest_FOUND)
    find_package(GTest REQUIRED)
  endif()
endif()

# libffi (bridge32::ffi): calls to exported functions known only by their C declaration, and
# callbacks (closures) handed to them.
#   MSVC + vcpkg: the port's config, unofficial-libffi (older ports: libffi); the port itself
#     defines FFI_BUILDING in its ffi.h when the triplet links statically.
#   Linux: Debian's libffi-dev (x86_64) and libffi-dev:i386. ffi.h is arch-specific
#     (/usr/include/<multiarch>/ffi.h); the toolchain's CMAKE_LIBRARY_ARCHITECTURE makes find_path
#     and find_library look in i386-linux-gnu for the 32-bit half, never in x86_64-linux-gnu.
#   MinGW: a static build under BRIDGE32_DEPS_PREFIX (scripts/setup.sh, build_libffi).
# BRIDGE32_FFI_STATIC (default: the 32-bit half and Windows) links libffi into the executable,
# so that the surrogate needs no libffi8:i386 on the user's machine; Debian's libffi_pic.a is
# position-independent, as the surrogate (PIE) needs. The 64-bit Linux host uses the system's
# shared libffi, which applications (GLib, Python) may load too: one copy, not two.
if(CMAKE_SIZEOF_VOID_P EQUAL 4 OR WIN32)
  set(_ffi_static_default ON)
else()
  set(_ffi_static_default OFF)
endif()
option(BRIDGE32_FFI_STATIC "Link libffi statically (when found by path, not through a package config)"
       ${_ffi_static_default})
add_library(bridge32::ffi INTERFACE IMPORTED)
find_package(unofficial-libffi CONFIG QUIET)
if(TARGET unofficial::libffi::libffi)
  set_property(TARGET bridge32::ffi PROPERTY INTERFACE_LINK_LIBRARIES unofficial::libffi::libffi)
  set(_ffi_found "vcpkg's unofficial-libffi")
else()
  find_package(libffi CONFIG QUIET)
  if(TARGET libffi)
    set_property(TARGET bridge32::ffi PROPERTY INTERFACE_LINK_LIBRARIES libffi)
    set(_ffi_found "libffi's CMake config")
  endif()
endif()
if(NOT _ffi_found)
  # pkg-config only as a hint for native builds (a libffi in a non-standard prefix): for the
  # cross builds it would describe the build machine's libffi.
  if(NOT CMAKE_CROSSCOMPILING)
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(PC_LIBFFI QUIET libffi)
    endif()
  endif()
  if(BRIDGE32_FFI_STATIC)
    set(_ffi_names libffi_pic.a libffi.a ffi)
  else()
    set(_ffi_names ffi)
  endif()
  find_path(BRIDGE32_FFI_INCLUDE_DIR ffi.h HINTS ${PC_LIBFFI_INCLUDEDIR} ${PC_LIBFFI_INCLUDE_DIRS})
  find_library(BRIDGE32_FFI_LIBRARY NAMES ${_ffi_names} HINTS ${PC_LIBFFI_LIBDIR} ${PC_LIBFFI_LIBRARY_DIRS})
  if(NOT BRIDGE32_FFI_INCLUDE_DIR OR NOT BRIDGE32_FFI_LIBRARY)
    message(FATAL_ERROR "libffi not found (ffi.h: ${BRIDGE32_FFI_INCLUDE_DIR}, library: "
      "${BRIDGE32_FFI_LIBRARY}). Debian: libffi-dev, and libffi-dev:i386 for the 32-bit half; "
      "MinGW: scripts/setup.sh windows builds it (BRIDGE32_FFI_MINGW_*); vcpkg: port libffi.")
  endif()
  set_target_properties(bridge32::ffi PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${BRIDGE32_FFI_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${BRIDGE32_FFI_LIBRARY}")
  if(WIN32 AND BRIDGE32_FFI_STATIC)
    # A static libffi on Windows: no __declspec(dllimport) in ffi.h. FFI_BUILDING up to 3.4.5,
    # FFI_STATIC_BUILD from 3.4.6; in 3.4.4 both matter to MSVC only (GCC needs neither).
    set_property(TARGET bridge32::ffi PROPERTY INTERFACE_COMPILE_DEFINITIONS FFI_BUILDING FFI_STATIC_BUILD)
  endif()
  set(_ffi_found "${BRIDGE32_FFI_LIBRARY}, ffi.h in ${BRIDGE32_FFI_INCLUDE_DIR}")
endif()

# A wrong-architecture libffi must fail here, not at the first call: link a call and a closure.
# (x86's ffitarget.h turns an x86_64 ffi.h into an i386 one with a #warning; make it an error.)
include(CheckCSourceCompiles)
include(CMakePushCheckState)
cmake_push_check_state(RESET)
set(CMAKE_REQUIRED_LIBRARIES bridge32::ffi)
set(CMAKE_REQUIRED_QUIET ON)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set(CMAKE_REQUIRED_FLAGS "-Werror=cpp")
endif()
check_c_source_compiles([[
#include <ffi.h>
static int twice(int x) { return 2 * x; }
int main(void) {
  ffi_cif cif; ffi_type *args[1] = {&ffi_type_sint}; int x = 21; void *values[1] = {&x};
  ffi_arg result = 0; void *code = 0;
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_sint, args) != FFI_OK) return 1;
  ffi_call(&cif, FFI_FN(twice), &result, values);
  ffi_closure_free(ffi_closure_alloc(sizeof(ffi_closure), &code));
  return (int)result != 42;
}]] BRIDGE32_FFI_LINKS)
cmake_pop_check_state()
if(NOT BRIDGE32_FFI_LINKS)
  unset(BRIDGE32_FFI_LINKS CACHE)  # checked again on the next configure
  message(FATAL_ERROR "libffi (${_ffi_found}) does not link for this target "
    "(${CMAKE_SYSTEM_NAME} ${CMAKE_SYSTEM_PROCESSOR}); see CMakeFiles/CMakeError.log")
endif()
message(STATUS "libffi: ${_ffi_found}")

# simplecpp (host only): the C preprocessor that reads vendor headers (host64/src/library/
# header-preprocessor.c++). Two files from cppcheck's source in Debian's archive with
# cmake/simplecpp/*.patch applied, fetched by scripts/setup.sh (BRIDGE32_SIMPLECPP_DIR); without
# it, the same tarball is fetched and patched here.
set(BRIDGE32_SIMPLECPP_DIR "$ENV{BRIDGE32_SIMPLECPP_DIR}" CACHE PATH
    "Directory holding simplecpp.cpp and simplecpp.h (cppcheck 2.17.1's externals/simplecpp)")
# The environment's, when set, wins: scripts/setup.sh moves it when the patches change.
if(DEFINED ENV{BRIDGE32_SIMPLECPP_DIR} AND
   NOT "$ENV{BRIDGE32_SIMPLECPP_DIR}" STREQUAL "${BRIDGE32_SIMPLECPP_DIR}")
  set(BRIDGE32_SIMPLECPP_DIR "$ENV{BRIDGE32_SIMPLECPP_DIR}" CACHE PATH "" FORCE)
endif()
if(BRIDGE32_HOST AND NOT EXISTS "${BRIDGE32_SIMPLECPP_DIR}/simplecpp.cpp")
  include(FetchContent)
  file(GLOB _simplecpp_patches "${PROJECT_SOURCE_DIR}/cmake/simplecpp/*.patch")
  set(_patch_commands)
  foreach(_patch IN LISTS _simplecpp_patches)
    list(APPEND _patch_commands COMMAND patch -s -d externals/simplecpp -p1 -i "${_patch}")
  endforeach()
  FetchContent_Declare(bridge32_cppcheck_source
    URL http://deb.debian.org/debian/pool/main/c/cppcheck/cppcheck_2.17.1.orig.tar.gz
    URL_HASH SHA256=bfd681868248ec03855ca7c2aea7bcb1f39b8b18860d76aec805a92a967b966c
    PATCH_COMMAND ${_patch_commands})
  FetchContent_Populate(bridge32_cppcheck_source)
  set(BRIDGE32_SIMPLECPP_DIR "${bridge32_cppcheck_source_SOURCE_DIR}/externals/simplecpp"
      CACHE PATH "" FORCE)
endif()
