# Shared by the two MinGW toolchain files; they set BRIDGE32_TRIPLE first.
set(CMAKE_C_COMPILER ${BRIDGE32_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${BRIDGE32_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${BRIDGE32_TRIPLE}-windres)

set(CMAKE_C_FLAGS_INIT "${BRIDGE32_ARCH_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${BRIDGE32_ARCH_FLAGS}")
# Link the C and C++ runtimes and winpthread statically, so the executables and plugin
# DLLs run on a bare Windows (or Wine prefix) without MinGW's DLLs beside them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static")

# Dependencies built by scripts/setup.sh live outside the build tree, one prefix per toolchain.
if(NOT DEFINED BRIDGE32_DEPS_PREFIX AND DEFINED ENV{BRIDGE32_DEPS_PREFIX})
  set(BRIDGE32_DEPS_PREFIX $ENV{BRIDGE32_DEPS_PREFIX})
endif()
set(CMAKE_FIND_ROOT_PATH /usr/${BRIDGE32_TRIPLE} ${BRIDGE32_DEPS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
