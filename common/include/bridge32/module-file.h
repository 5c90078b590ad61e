// What a module file is, read from its PE or ELF header without loading it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/types.h"

namespace bridge32 {

enum class ModuleFormat { elf, pe };

struct ModuleFile {
  ModuleFormat format;
  Architecture architecture;
  uint16_t machine;  // e_machine (ELF) or IMAGE_FILE_HEADER.Machine (PE)
  bool isLibrary;    // ET_DYN, or a PE with IMAGE_FILE_DLL
  bool is64Bit;      // ELFCLASS64, or PE32+ (optional header magic 0x20b)

  std::string describe() const;  // e.g. "PE32 DLL (x86)", "ELF64 shared object (x64)"
};

// The module format this platform's loader takes: PE on Windows, ELF elsewhere.
constexpr ModuleFormat nativeModuleFormat() {
#if _WIN32
  return ModuleFormat::pe;
#else
  return ModuleFormat::elf;
#endif
}

// Reads the header of `path`, and checks that its tables, segments and sections lie within the
// file, so that no loader is handed a truncated one. `role` names the file in errors. Throws
// Error: notFound if there is no such file, failed if it cannot be read, badModule if it is
// neither PE nor ELF or is truncated or damaged.
ModuleFile inspectModuleFile(const std::filesystem::path& path,
                             std::string_view role = "plugin module");

// The DLL names in the import table of the PE file `path`, in its order: what the loader must
// find to load it. Empty for any other file, or one whose import table cannot be read.
std::vector<std::string> importedDlls(const std::filesystem::path& path);

}  // namespace bridge32
