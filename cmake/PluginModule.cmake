# bridge32_add_plugin_module(NAME SOURCES...): a plugin module (DLL / shared object) built
# into plugins/<arch>/NAME.dll or .so, exporting only bridge32_entry.
function(bridge32_add_plugin_module name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE bridge32_sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${BRIDGE32_PLUGIN_DIR}"
    RUNTIME_OUTPUT_DIRECTORY "${BRIDGE32_PLUGIN_DIR}")
endfunction()
