// Reading what a module file is (bridge32/module-file.h) from its PE or ELF header, without
// loading it: the C API's bridge32_module_inspect, planLoad and the doctor's tables start here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/module-file.h"

namespace bridge32 {

// Reads the header of `path`, and checks that its tables, segments and sections lie within the
// file, so that no loader is handed a truncated one. `role` names the file in errors. Throws
// Error: notFound if there is no such file, failed if it cannot be read, badModule if it is
// neither PE nor ELF or is truncated or damaged.
ModuleFile readModuleFile(const std::filesystem::path& path, std::string_view role);

// The DLL names in the import table of the PE file `path`, in its order: what the loader must
// find to load it. Empty for any other file, or one whose import table cannot be read.
std::vector<std::string> importedDlls(const std::filesystem::path& path);

}  // namespace bridge32
