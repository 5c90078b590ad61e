#include "bridge32/module-file.h"

#include <array>
#include <cstring>
#include <fstream>

#include "bridge32/error.h"

namespace bridge32 {

namespace {

constexpr uint16_t kElfMachine386 = 3;
constexpr uint16_t kElfMachineX86_64 = 62;
constexpr uint16_t kElfTypeSharedObject = 3;
constexpr uint16_t kPeMachineI386 = 0x14c;
constexpr uint16_t kPeMachineAmd64 = 0x8664;
constexpr uint16_t kPeFileDll = 0x2000;
constexpr uint16_t kPe32PlusMagic = 0x20b;

uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const unsigned char* p) { return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16; }

[[noreturn]] void notAModule(const std::filesystem::path& path, std::string_view why) {
  throw Error(Error::Kind::badModule,
              "'" + utf8(path) + "' is not a plugin module: " + std::string(why));
}

}  // namespace

std::string ModuleFile::describe() const {
  std::string text = format == ModuleFormat::pe ? (is64Bit ? "PE32+" : "PE32")
                                                : (is64Bit ? "ELF64" : "ELF32");
  text += format == ModuleFormat::pe ? (isLibrary ? " DLL" : " executable")
                                     : (isLibrary ? " shared object" : " executable");
  text += " (";
  if (architecture == Architecture::unknown) {
    char machineText[16];
    std::snprintf(machineText, sizeof machineText, "machine 0x%x", machine);
    text += machineText;
  } else {
    text += toString(architecture);
  }
  return text + ")";
}

ModuleFile inspectModuleFile(const std::filesystem::path& path) {
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw Error(Error::Kind::notFound, "plugin module '" + utf8(path) + "' does not exist");
  }
  if (!std::filesystem::is_regular_file(status)) {
    notAModule(path, "it is not a regular file");
  }

  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw Error(Error::Kind::notFound, "plugin module '" + utf8(path) + "' cannot be opened");
  }
  std::array<unsigned char, 64> head{};
  file.read(reinterpret_cast<char*>(head.data()), head.size());
  auto headSize = size_t(file.gcount());

  if (headSize >= 20 && std::memcmp(head.data(), "\x7f" "ELF", 4) == 0) {
    if (head[4] != 1 && head[4] != 2) notAModule(path, "its ELF class is neither 32 nor 64 bit");
    if (head[5] != 1) notAModule(path, "it is a big-endian ELF file");
    ModuleFile result{};
    result.format = ModuleFormat::elf;
    result.is64Bit = head[4] == 2;
    result.isLibrary = le16(&head[16]) == kElfTypeSharedObject;
    result.machine = le16(&head[18]);
    result.architecture = result.machine == kElfMachine386      ? Architecture::x86
                          : result.machine == kElfMachineX86_64 ? Architecture::x64
                                                                : Architecture::unknown;
    return result;
  }

  if (headSize >= 64 && head[0] == 'M' && head[1] == 'Z') {
    uint32_t peOffset = le32(&head[0x3c]);
    std::array<unsigned char, 26> pe{};
    file.clear();
    file.seekg(peOffset);
    file.read(reinterpret_cast<char*>(pe.data()), pe.size());
    if (size_t(file.gcount()) != pe.size() || std::memcmp(pe.data(), "PE\0\0", 4) != 0) {
      notAModule(path, "it has an MZ header but no PE header (a DOS program or truncated file)");
    }
    ModuleFile result{};
    result.format = ModuleFormat::pe;
    result.machine = le16(&pe[4]);
    result.isLibrary = (le16(&pe[22]) & kPeFileDll) != 0;
    result.is64Bit = le16(&pe[24]) == kPe32PlusMagic;
    result.architecture = result.machine == kPeMachineI386    ? Architecture::x86
                          : result.machine == kPeMachineAmd64 ? Architecture::x64
                                                              : Architecture::unknown;
    return result;
  }

  notAModule(path, "expected a PE (Windows DLL) or ELF (shared object) header and found neither");
}

}  // namespace bridge32
