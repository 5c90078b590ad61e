# README.md's C++ examples, compiled as printed: each block whose info string is
# "c++ example=NAME" (or "c++ windows-example=NAME", a Windows program) is a whole program that
# uses bridge32's installed headers only. They are extracted here at configure time, built against
# bridge32::host, and, on Linux, the ones that take a module are run against the fixtures and
# Debian's i386 zlib (tests listed below). README blocks of other kinds are checked by
# Readme.EveryCodeBlockSaysHowItIsChecked (readme-test.c++).
set(readme "${PROJECT_SOURCE_DIR}/README.md")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${readme}")
file(READ "${readme}" readme_text)
# CMake lists are separated by ';', which C++ is full of: set them aside while matching.
string(REPLACE ";" "@SEMICOLON@" readme_text "${readme_text}")
string(REGEX MATCHALL "```c\\+\\+ (windows-)?example=[a-z0-9-]+\n[^`]*```" readme_blocks
       "${readme_text}")
set(readme_examples)
foreach(block IN LISTS readme_blocks)
  string(REGEX MATCH "^```c\\+\\+ (windows-)?example=([a-z0-9-]+)\n" header "${block}")
  set(name "${CMAKE_MATCH_2}")
  set(windows_only "${CMAKE_MATCH_1}")
  string(LENGTH "${header}" header_length)
  string(SUBSTRING "${block}" ${header_length} -1 code)
  string(REGEX REPLACE "```$" "" code "${code}")
  string(REPLACE "@SEMICOLON@" ";" code "${code}")
  if(windows_only AND NOT WIN32)
    continue()
  endif()
  set(source "${CMAKE_CURRENT_BINARY_DIR}/readme/${name}.c++")
  file(CONFIGURE OUTPUT "${source}" CONTENT "${code}" @ONLY)
  add_executable(readme-${name} "${source}")
  target_link_libraries(readme-${name} PRIVATE bridge32_host)
  set_target_properties(readme-${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${BRIDGE32_OUTPUT_DIR}/bin")
  list(APPEND readme_examples readme-${name})
endforeach()
if(NOT readme_examples)
  message(FATAL_ERROR "no C++ examples found in ${readme}")
endif()
# C examples ("c example=NAME"): C99 programs of the C API, linked against the shared library as a
# C program links it.
string(REGEX MATCHALL "```c example=[a-z0-9-]+\n[^`]*```" readme_c_blocks "${readme_text}")
foreach(block IN LISTS readme_c_blocks)
  string(REGEX MATCH "^```c example=([a-z0-9-]+)\n" header "${block}")
  set(name "${CMAKE_MATCH_1}")
  string(LENGTH "${header}" header_length)
  string(SUBSTRING "${block}" ${header_length} -1 code)
  string(REGEX REPLACE "```$" "" code "${code}")
  string(REPLACE "@SEMICOLON@" ";" code "${code}")
  set(source "${CMAKE_CURRENT_BINARY_DIR}/readme/${name}.c")
  file(CONFIGURE OUTPUT "${source}" CONTENT "${code}" @ONLY)
  add_executable(readme-${name} "${source}")
  target_link_libraries(readme-${name} PRIVATE bridge32::host)
  set_target_properties(readme-${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${BRIDGE32_OUTPUT_DIR}/bin"
                        C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  list(APPEND readme_examples readme-${name})
endforeach()
add_custom_target(bridge32_readme_examples ALL DEPENDS ${readme_examples})

# Run where they can be: Linux, against the fixtures (the Windows tests run in one process).
if(NOT CMAKE_CROSSCOMPILING)
  set(plugins "${BRIDGE32_OUTPUT_DIR}/plugins")
  add_test(NAME Readme.PluginHostExampleRuns COMMAND readme-plugin-host "${plugins}/x86/b32-samples.so")
  set_tests_properties(Readme.PluginHostExampleRuns PROPERTIES PASS_REGULAR_EXPRESSION "gain 0.5: 0.25 in, 0.125 out")
  add_test(NAME Readme.ZlibExampleRuns COMMAND readme-zlib-compress /usr/lib/i386-linux-gnu/libz.so.1)
  set_tests_properties(Readme.ZlibExampleRuns PROPERTIES PASS_REGULAR_EXPRESSION "compress: 0, 1000 bytes into 1[0-9] bytes")
  add_test(NAME Readme.SqliteHeaderExampleRuns COMMAND readme-sqlite-header /usr/lib/i386-linux-gnu/libsqlite3.so.0)
  set_tests_properties(Readme.SqliteHeaderExampleRuns PROPERTIES PASS_REGULAR_EXPRESSION
                       "a = 1, b = one\na = 2, b = two\nerror: no such table: nowhere")
  add_test(NAME Readme.CZlibExampleRuns COMMAND readme-c-zlib /usr/lib/i386-linux-gnu/libz.so.1)
  set_tests_properties(Readme.CZlibExampleRuns PROPERTIES PASS_REGULAR_EXPRESSION "zlib 1\\.[0-9.]+, bridged: yes")
  add_test(NAME Readme.TypedFunctionsExampleRuns COMMAND readme-typed-functions "${plugins}/x86/b32-library.so")
  set_tests_properties(Readme.TypedFunctionsExampleRuns PROPERTIES PASS_REGULAR_EXPRESSION "42; y = 2 4 6; make_point: 3, -4")
endif()
