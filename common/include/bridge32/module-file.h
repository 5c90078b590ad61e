// What a module file is, read from its PE or ELF header without loading it: inspectModuleFile
// (bridge32/surrogate.h) reads one.
#pragma once

#include <charconv>
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

  // e.g. "PE32 DLL (x86)", "ELF64 shared object (x64)", "ELF32 executable (machine 0x28)"
  std::string describe() const {
    std::string text = format == ModuleFormat::pe ? (is64Bit ? "PE32+" : "PE32")
                                                  : (is64Bit ? "ELF64" : "ELF32");
    text += format == ModuleFormat::pe ? (isLibrary ? " DLL" : " executable")
                                       : (isLibrary ? " shared object" : " executable");
    if (architecture != Architecture::unknown) {
      return text + " (" + std::string(toString(architecture)) + ")";
    }
    char hex[8];
    auto end = std::to_chars(hex, hex + sizeof hex, machine, 16).ptr;
    return text + " (machine 0x" + std::string(hex, end) + ")";
  }
};

// The module format this platform's loader takes: PE on Windows, ELF elsewhere.
constexpr ModuleFormat nativeModuleFormat() {
#if _WIN32
  return ModuleFormat::pe;
#else
  return ModuleFormat::elf;
#endif
}

}  // namespace bridge32
