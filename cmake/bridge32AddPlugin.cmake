# bridge32_add_plugin(NAME SOURCES...): a bridge32 plugin module (NAME.so / NAME.dll, exporting
# only bridge32_entry) for this build's bitness and, from a 64-bit build, the same sources built
# for 32-bit x86 too, into ${BRIDGE32_PLUGIN_OUTPUT_DIR}/x64/ and .../x86/ (default:
# <project binary dir>/plugins).
#
#   GCC or Clang on Linux: a second target, NAME_x86, built with -m32 (Debian: gcc-multilib, and
#     g++-multilib for C++ sources).
#   MinGW-w64: the 32-bit build is an external project configured with the i686 compiler next to
#     this build's x86_64 one (or with the toolchain file BRIDGE32_PLUGIN_X86_TOOLCHAIN); it is
#     given the sources and the SDK only, so set what else it needs with the options below.
#   Other compilers (MSVC): configure a second, 32-bit build of the plugin project.
#
# Options (after the sources): COMPILE_DEFINITIONS defs..., LINK_LIBRARIES libs...: applied to both.
#
# 32-bit x86 code is compiled with SSE2 arithmetic (-msse2 -mfpmath=sse), as x86_64 code always
# is: the x87 unit's 80-bit intermediates would make a plugin's 32-bit build compute different
# floats from its 64-bit build, and the same input must give the same output in either.
set_property(GLOBAL PROPERTY bridge32_add_plugin_file "${CMAKE_CURRENT_LIST_FILE}")

# The module itself, for the architecture `arch` (x86 or x64) with `flags` added.
function(_bridge32_plugin_module target name arch flags)
  cmake_parse_arguments(PARSE_ARGV 4 arg "" "" "SOURCES;COMPILE_DEFINITIONS;LINK_LIBRARIES")
  if(DEFINED BRIDGE32_PLUGIN_OUTPUT_DIR)
    set(output "${BRIDGE32_PLUGIN_OUTPUT_DIR}/${arch}")
  else()
    set(output "${PROJECT_BINARY_DIR}/plugins/${arch}")
  endif()
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE bridge32::sdk ${arg_LINK_LIBRARIES})
  target_compile_definitions(${target} PRIVATE ${arg_COMPILE_DEFINITIONS})
  target_compile_options(${target} PRIVATE ${flags})
  target_link_options(${target} PRIVATE ${flags})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${output}"
    RUNTIME_OUTPUT_DIRECTORY "${output}")
endfunction()

function(bridge32_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "COMPILE_DEFINITIONS;LINK_LIBRARIES")
  set(sources "")
  foreach(source IN LISTS arg_UNPARSED_ARGUMENTS)
    get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND sources "${source}")
  endforeach()
  set(gnu_like "$<OR:$<C_COMPILER_ID:GNU,Clang>,$<CXX_COMPILER_ID:GNU,Clang>>")
  set(x86_flags "$<${gnu_like}:-msse2;-mfpmath=sse>")

  if(CMAKE_SIZEOF_VOID_P EQUAL 4)
    _bridge32_plugin_module(${name} ${name} x86 "${x86_flags}" SOURCES ${sources}
      COMPILE_DEFINITIONS ${arg_COMPILE_DEFINITIONS} LINK_LIBRARIES ${arg_LINK_LIBRARIES})
    return()
  endif()
  _bridge32_plugin_module(${name} ${name} x64 "" SOURCES ${sources}
    COMPILE_DEFINITIONS ${arg_COMPILE_DEFINITIONS} LINK_LIBRARIES ${arg_LINK_LIBRARIES})

  if(NOT WIN32 AND CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    _bridge32_plugin_module(${name}_x86 ${name} x86 "-m32;${x86_flags}" SOURCES ${sources}
      COMPILE_DEFINITIONS ${arg_COMPILE_DEFINITIONS} LINK_LIBRARIES ${arg_LINK_LIBRARIES})
  elseif(MINGW OR BRIDGE32_PLUGIN_X86_TOOLCHAIN)
    if(BRIDGE32_PLUGIN_X86_TOOLCHAIN)
      set(toolchain "-DCMAKE_TOOLCHAIN_FILE=${BRIDGE32_PLUGIN_X86_TOOLCHAIN}")
    else()
      string(REPLACE "x86_64-w64-mingw32" "i686-w64-mingw32" c_compiler "${CMAKE_C_COMPILER}")
      string(REPLACE "x86_64-w64-mingw32" "i686-w64-mingw32" cxx_compiler "${CMAKE_CXX_COMPILER}")
      if(c_compiler STREQUAL CMAKE_C_COMPILER OR NOT EXISTS "${c_compiler}")
        message(FATAL_ERROR "bridge32_add_plugin(${name}): no i686 MinGW compiler beside "
          "${CMAKE_C_COMPILER}; set BRIDGE32_PLUGIN_X86_TOOLCHAIN to a 32-bit toolchain file")
      endif()
      set(toolchain -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_SYSTEM_PROCESSOR=x86
          "-DCMAKE_C_COMPILER=${c_compiler}" "-DCMAKE_CXX_COMPILER=${cxx_compiler}")
    endif()
    # A project of its own that builds only this plugin, for 32-bit, into the same output dir.
    get_property(helper GLOBAL PROPERTY bridge32_add_plugin_file)
    set(project_dir "${CMAKE_CURRENT_BINARY_DIR}/bridge32-x86/${name}")
    if(DEFINED BRIDGE32_PLUGIN_OUTPUT_DIR)
      set(output "${BRIDGE32_PLUGIN_OUTPUT_DIR}")
    else()
      set(output "${PROJECT_BINARY_DIR}/plugins")
    endif()
    string(JOIN " " quoted_sources ${sources})
    get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
    list(FILTER languages INCLUDE REGEX "^(C|CXX)$")
    string(JOIN " " languages ${languages})
    file(WRITE "${project_dir}/CMakeLists.txt"
"cmake_minimum_required(VERSION 3.20)
project(${name}_x86 LANGUAGES ${languages})
add_library(bridge32::sdk INTERFACE IMPORTED)
set_target_properties(bridge32::sdk PROPERTIES INTERFACE_INCLUDE_DIRECTORIES \"\${BRIDGE32_SDK_INCLUDE_DIR}\")
include(\"${helper}\")
bridge32_add_plugin(${name} ${quoted_sources}
  COMPILE_DEFINITIONS ${arg_COMPILE_DEFINITIONS} LINK_LIBRARIES ${arg_LINK_LIBRARIES})
")
    include(ExternalProject)
    ExternalProject_Add(${name}_x86
      SOURCE_DIR "${project_dir}"
      BINARY_DIR "${project_dir}/build"
      PREFIX "${project_dir}/prefix"
      CMAKE_ARGS ${toolchain}
        -G ${CMAKE_GENERATOR}
        -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
        "-DCMAKE_MODULE_LINKER_FLAGS=${CMAKE_MODULE_LINKER_FLAGS}"
        "-DBRIDGE32_SDK_INCLUDE_DIR=$<TARGET_PROPERTY:bridge32::sdk,INTERFACE_INCLUDE_DIRECTORIES>"
        "-DBRIDGE32_PLUGIN_OUTPUT_DIR=${output}"
      BUILD_ALWAYS ON
      INSTALL_COMMAND "")
  endif()
endfunction()
