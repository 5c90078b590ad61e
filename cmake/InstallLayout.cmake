# Where an install puts things, shared by both halves (the 32-bit half is told the 64-bit half's
# GNUInstallDirs, so both land in one prefix):
#   bin/        the bridge32 tool; on Windows also bridge32.dll and both surrogates
#   lib/        libbridge32.so (or the import library), the static archives, cmake/bridge32/,
#               pkgconfig/bridge32.pc
#   libexec/bridge32/   both surrogates (Linux)
#   include/bridge32/   the host API and the plugin SDK
# The host library finds the surrogates from where it is itself (see shared-surrogate.c++):
# beside itself, or at BRIDGE32_INSTALL_SURROGATE_DIR under the prefix it was installed to.
# On Windows that is beside bridge32.dll and bridge32.exe, where Windows looks for an
# application's own files; on Linux a private directory, as executables that are not meant to be
# run by hand belong in libexec.
if(WIN32)
  set(BRIDGE32_INSTALL_SURROGATE_DIR "${CMAKE_INSTALL_BINDIR}")
else()
  set(BRIDGE32_INSTALL_SURROGATE_DIR "${CMAKE_INSTALL_LIBEXECDIR}/bridge32")
endif()
set(BRIDGE32_INSTALL_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/bridge32")
