# Linux i386 (ELF32) with the host's gcc and -m32 (Debian's g++-multilib).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
# SSE2 arithmetic instead of x87: see mingw-i686.cmake.
set(CMAKE_C_FLAGS_INIT "-m32 -msse2 -mfpmath=sse")
set(CMAKE_CXX_FLAGS_INIT "-m32 -msse2 -mfpmath=sse")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-m32")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)

if(NOT DEFINED BRIDGE32_DEPS_PREFIX AND DEFINED ENV{BRIDGE32_DEPS_PREFIX})
  set(BRIDGE32_DEPS_PREFIX $ENV{BRIDGE32_DEPS_PREFIX})
endif()
# Only the i386 prefix may satisfy find_package, never the x86_64 packages in /usr.
set(CMAKE_FIND_ROOT_PATH ${BRIDGE32_DEPS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
