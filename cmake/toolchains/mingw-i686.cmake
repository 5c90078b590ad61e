# Windows x86 (PE32) with Debian's MinGW-w64 "posix" compilers.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86)
set(BRIDGE32_TRIPLE i686-w64-mingw32)
# SSE2 arithmetic instead of x87: a 32-bit plugin must compute bit-identical floats to its
# 64-bit build, and x87's 80-bit intermediates would not.
set(BRIDGE32_ARCH_FLAGS "-msse2 -mfpmath=sse")
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
