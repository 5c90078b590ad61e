# What `cmake --install` lays out (see InstallLayout.cmake), the CMake package that finds it
# (bridge32Config.cmake: bridge32::host, bridge32::sdk, bridge32_add_plugin), the pkg-config
# file, and the CPack packages made from it (.deb on Linux, .zip on Windows).
include(CMakePackageConfigHelpers)

# Headers: the C API (include), the C++ host API (host64, common), its version, and the plugin
# SDK, in one bridge32/.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" "${PROJECT_SOURCE_DIR}/host64/include/"
                  "${PROJECT_SOURCE_DIR}/common/include/"
                  "${PROJECT_SOURCE_DIR}/sdk/include/" "${PROJECT_BINARY_DIR}/host64/include/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h")

install(TARGETS bridge32_tool RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
# The VST2 shim beside the surrogates, where `bridge32 wrap` looks for it.
install(TARGETS bridge32_vst2_shim LIBRARY DESTINATION "${BRIDGE32_INSTALL_SURROGATE_DIR}"
                                   RUNTIME DESTINATION "${BRIDGE32_INSTALL_SURROGATE_DIR}")
# The runtime of the libraries `bridge32 wrap LIB --header H` writes, also where it looks.
install(TARGETS bridge32_wrap_runtime LIBRARY DESTINATION "${BRIDGE32_INSTALL_SURROGATE_DIR}")
install(TARGETS bridge32_sdk EXPORT bridge32-sdk)
install(TARGETS bridge32_host_shared EXPORT bridge32-shared
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
set(_static_targets bridge32_host bridge32_common bridge32_protocol bridge32_logging)
if(TARGET bridge32_spdlog)
  list(APPEND _static_targets bridge32_spdlog)  # spdlog compiled here (cross builds)
endif()
install(TARGETS ${_static_targets} EXPORT bridge32-static ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
foreach(set IN ITEMS sdk shared static)
  install(EXPORT bridge32-${set} NAMESPACE bridge32:: FILE bridge32-${set}-targets.cmake
          DESTINATION "${BRIDGE32_INSTALL_CMAKE_DIR}")
endforeach()

configure_package_config_file(cmake/bridge32Config.cmake.in
  "${PROJECT_BINARY_DIR}/package/bridge32Config.cmake"
  INSTALL_DESTINATION "${BRIDGE32_INSTALL_CMAKE_DIR}"
  PATH_VARS BRIDGE32_INSTALL_SURROGATE_DIR CMAKE_INSTALL_INCLUDEDIR)
# ARCH_INDEPENDENT: a 32-bit build finds the package too, for the SDK and bridge32_add_plugin
# (the config defines the host targets for 64-bit builds only).
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/bridge32ConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/package/bridge32Config.cmake"
              "${PROJECT_BINARY_DIR}/package/bridge32ConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/bridge32AddPlugin.cmake"
        DESTINATION "${BRIDGE32_INSTALL_CMAKE_DIR}")

# pkg-config: the shared library; C++20 for the host API is the compiler's flag to give. The
# prefix is found from the file's own place, as the package's is, so a copied or unpacked
# prefix (dpkg -x) works too.
file(RELATIVE_PATH BRIDGE32_PC_TO_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
configure_file(cmake/bridge32.pc.in "${PROJECT_BINARY_DIR}/package/bridge32.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/package/bridge32.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

# Packages: `cpack` in the build directory (scripts/package.sh). One package holds both
# bitnesses, as the 32-bit half installs into the same prefix.
set(CPACK_PACKAGE_NAME bridge32)
set(CPACK_PACKAGE_VENDOR "bridge32")
set(CPACK_PACKAGE_CONTACT "bridge32 maintainers <bridge32@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo: the debug info would triple the size
if(WIN32)
  set(CPACK_GENERATOR ZIP)
  set(CPACK_SYSTEM_NAME windows-x64-x86)
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
else()
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
  # Named by hand: dpkg-shlibdeps cannot resolve the i386 surrogate's libraries. The x64 side
  # uses Debian's shared Cap'n Proto, spdlog, fmt and libffi, and libxcb for editors' containers;
  # the x86 surrogate has Cap'n Proto and libffi linked in and needs the 32-bit C and C++
  # runtimes only (multilib's or i386's).
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libcapnp-0.9.2, libspdlog1.10, libfmt9, \
libffi8, libxcb1, libc6-i386 | libc6:i386, lib32stdc++6 | libstdc++6:i386, \
lib32gcc-s1 | libgcc-s1:i386")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libcapnp-dev, libspdlog-dev, libffi-dev, libxcb1-dev")
endif()
include(CPack)
