#include "bridge32/module-file.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

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

std::vector<std::string> importedDlls(const std::filesystem::path& path) {
  // Everything is read from the file and checked against its size: the file may be anything.
  // (No plugin DLL comes near the bound, which keeps a 32-bit process's memory safe.)
  std::error_code error;
  if (std::filesystem::file_size(path, error) > (256u << 20) || error) return {};
  std::ifstream file(path, std::ios::binary);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), {});
  auto fits = [&](uint64_t offset, uint64_t size) { return offset + size <= bytes.size(); };
  if (!fits(0, 64) || bytes[0] != 'M' || bytes[1] != 'Z') return {};
  uint32_t pe = le32(&bytes[0x3c]);
  if (!fits(pe, 24) || std::memcmp(&bytes[pe], "PE\0\0", 4) != 0) return {};
  uint16_t sectionCount = le16(&bytes[pe + 6]);
  uint16_t optionalSize = le16(&bytes[pe + 20]);
  uint64_t optional = pe + 24;
  if (!fits(optional, 2)) return {};
  bool plus = le16(&bytes[optional]) == kPe32PlusMagic;
  uint64_t directories = optional + (plus ? 112 : 96);
  uint64_t directoryCount = optional + (plus ? 108 : 92);
  if (!fits(directories, 16) || !fits(directoryCount, 4) || le32(&bytes[directoryCount]) < 2) {
    return {};
  }
  uint32_t importRva = le32(&bytes[directories + 8]);
  if (importRva == 0) return {};

  uint64_t sections = optional + optionalSize;
  auto fileOffset = [&](uint32_t rva) -> std::optional<uint64_t> {
    for (uint16_t i = 0; i < sectionCount; ++i) {
      uint64_t section = sections + uint64_t(i) * 40;
      if (!fits(section, 40)) return std::nullopt;
      uint32_t virtualAddress = le32(&bytes[section + 12]);
      uint32_t span = std::max(le32(&bytes[section + 8]), le32(&bytes[section + 16]));
      if (rva >= virtualAddress && rva - virtualAddress < span) {
        return uint64_t(rva - virtualAddress) + le32(&bytes[section + 20]);
      }
    }
    return std::nullopt;
  };

  std::vector<std::string> names;
  auto descriptor = fileOffset(importRva);
  for (int i = 0; descriptor && fits(*descriptor, 20) && i < 4096; ++i, *descriptor += 20) {
    uint32_t nameRva = le32(&bytes[*descriptor + 12]);
    if (nameRva == 0) break;  // the all-zero descriptor that ends the table
    auto name = fileOffset(nameRva);
    if (!name) continue;
    std::string text;
    for (uint64_t at = *name; at < bytes.size() && bytes[at] != 0 && text.size() < 260; ++at) {
      text += char(bytes[at]);
    }
    names.push_back(text);
  }
  return names;
}

}  // namespace bridge32
