#include "module-file.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "bridge32/error.h"
#include "module-dependencies.h"
#include "module-image.h"

namespace bridge32 {

namespace {

using image::bytesText;
using image::le16;
using image::le32;
using image::le64;
using image::readAt;

constexpr uint16_t kElfMachine386 = 3;
constexpr uint16_t kElfMachineX86_64 = 62;
constexpr uint16_t kElfTypeSharedObject = 3;
constexpr uint16_t kPeMachineI386 = 0x14c;
constexpr uint16_t kPeMachineAmd64 = 0x8664;
constexpr uint16_t kPeFileDll = 0x2000;
constexpr uint16_t kPe32PlusMagic = image::PeHeaders::kPe32PlusMagic;

// Why the ELF file's tables or loadable segments reach past its `size` bytes, or nothing. The
// loader maps segments as they are: one past the end of the file faults when it is touched
// (SIGBUS), in whichever process loads it.
std::optional<std::string> elfOutOfBounds(std::ifstream& file, const unsigned char* head,
                                          bool is64Bit, uint64_t size) {
  uint64_t phoff = is64Bit ? le64(head + 0x20) : le32(head + 0x1c);
  uint64_t shoff = is64Bit ? le64(head + 0x28) : le32(head + 0x20);
  uint16_t phentsize = le16(head + (is64Bit ? 0x36 : 0x2a));
  uint16_t phnum = le16(head + (is64Bit ? 0x38 : 0x2c));
  uint16_t shentsize = le16(head + (is64Bit ? 0x3a : 0x2e));
  uint16_t shnum = le16(head + (is64Bit ? 0x3c : 0x30));
  size_t wanted = is64Bit ? 0x28 : 0x20;  // enough of a program header for type, offset, size
  // A table of `count` entries of `entry` bytes at `offset` lies within the file (no overflow).
  auto fits = [size](uint64_t offset, uint64_t count, uint64_t entry) {
    return count == 0 || (offset <= size && count * entry <= size - offset);
  };
  if (phnum > 0 && phentsize < wanted) return "its program headers are too small";
  if (!fits(phoff, phnum, phentsize)) {
    return "its program headers end past the end of the file (" + bytesText(size) + ")";
  }
  if (shoff != 0 && !fits(shoff, shnum, shentsize)) {
    return "its section headers end past the end of the file (" + bytesText(size) + ")";
  }
  for (uint16_t i = 0; i < phnum; ++i) {
    unsigned char header[0x28];
    if (!readAt(file, phoff + uint64_t(i) * phentsize, header, wanted)) {
      return "its program header " + std::to_string(i) + " cannot be read";
    }
    constexpr uint32_t kLoadable = 1;  // PT_LOAD
    if (le32(header) != kLoadable) continue;
    uint64_t offset = is64Bit ? le64(header + 0x08) : le32(header + 0x04);
    uint64_t fileSize = is64Bit ? le64(header + 0x20) : le32(header + 0x10);
    if (offset > size || fileSize > size - offset) {
      return "its loadable segment " + std::to_string(i) + " ends at byte " +
             std::to_string(offset + fileSize) + ", past the end of the file (" +
             bytesText(size) + ")";
    }
  }
  return std::nullopt;
}

// The same for a PE file's headers and sections; its "PE\0\0" signature is at `pe`, the COFF
// header right after it.
std::optional<std::string> peOutOfBounds(std::ifstream& file, uint64_t pe, uint64_t size) {
  unsigned char header[24];
  if (!readAt(file, pe, header, sizeof header)) return "its COFF header is cut off";
  uint16_t sections = le16(header + 6);
  uint16_t optionalSize = le16(header + 20);
  uint64_t optional = pe + 24;
  uint64_t table = optional + optionalSize;
  if (table + uint64_t(sections) * 40 > size) {
    return "its section table ends past the end of the file (" + bytesText(size) + ")";
  }
  unsigned char headersSize[4];
  if (optionalSize >= 64 && readAt(file, optional + 60, headersSize, 4) &&
      le32(headersSize) > size) {
    return "its headers are " + bytesText(le32(headersSize)) + " but the file has " +
           bytesText(size);
  }
  // The COFF symbol and string tables MinGW leaves at the end: the loader does not read them, but
  // a file cut inside them is as damaged as one cut in a section.
  uint64_t symbols = le32(header + 12), symbolCount = le32(header + 16);
  if (symbols != 0) {
    uint64_t strings = symbols + symbolCount * 18;
    unsigned char stringsSize[4];
    if (strings + 4 > size || !readAt(file, strings, stringsSize, 4) ||
        strings + le32(stringsSize) > size) {
      return "its symbol table ends past the end of the file (" + bytesText(size) + ")";
    }
  }
  for (uint16_t i = 0; i < sections; ++i) {
    unsigned char entry[image::PeHeaders::kSectionSize];
    if (!readAt(file, table + uint64_t(i) * sizeof entry, entry, sizeof entry)) {
      return "its section " + std::to_string(i) + " cannot be read";
    }
    auto section = image::PeSection::parse(entry);
    uint64_t end = uint64_t(section.rawOffset) + section.rawSize;
    if (section.rawSize != 0 && end > size) {
      return "its section " + validUtf8(section.name) + " ends at byte " + std::to_string(end) +
             ", past the end of the file (" + bytesText(size) + ")";
    }
  }
  return std::nullopt;
}

}  // namespace

ModuleFile readModuleFile(const std::filesystem::path& path, std::string_view role) {
  std::string named = std::string(role) + " '" + utf8(path) + "'";
  auto notA = [&](std::string_view why) -> Error {
    return Error(Error::Kind::badModule,
                 "'" + utf8(path) + "' is not a " + std::string(role) + ": " + std::string(why));
  };
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    throw Error(Error::Kind::notFound, named + " does not exist");
  }
  if (error) {  // a symbolic link loop, a directory that cannot be searched, ...
    throw Error(Error::Kind::failed, "cannot look at " + named + ": " + error.message());
  }
  if (!std::filesystem::is_regular_file(status)) throw notA("it is not a regular file");
  uint64_t size = std::filesystem::file_size(path, error);

  errno = 0;
  std::ifstream file(path, std::ios::binary);
  if (!file || error) {
    // It exists: not being able to read it (no permission, no file descriptor left) is not its
    // absence.
    int cause = errno;
    throw Error(Error::Kind::failed,
                "cannot read " + named + ": " +
                    (cause ? std::strerror(cause)
                           : error ? error.message() : std::string("the file cannot be opened")));
  }
  std::array<unsigned char, 64> head{};
  file.read(reinterpret_cast<char*>(head.data()), head.size());
  auto headSize = size_t(file.gcount());

  if (headSize >= 20 && std::memcmp(head.data(), "\x7f" "ELF", 4) == 0) {
    if (head[4] != 1 && head[4] != 2) throw notA("its ELF class is neither 32 nor 64 bit");
    if (head[5] != 1) throw notA("it is a big-endian ELF file");
    ModuleFile result{};
    result.format = ModuleFormat::elf;
    result.is64Bit = head[4] == 2;
    if (headSize < (result.is64Bit ? 64u : 52u)) throw notA("its ELF header is cut off");
    result.isLibrary = le16(&head[16]) == kElfTypeSharedObject;
    result.machine = le16(&head[18]);
    result.architecture = result.machine == kElfMachine386      ? Architecture::x86
                          : result.machine == kElfMachineX86_64 ? Architecture::x64
                                                                : Architecture::unknown;
    if (auto why = elfOutOfBounds(file, head.data(), result.is64Bit, size)) {
      throw notA("it is truncated or damaged: " + *why);
    }
    return result;
  }

  if (headSize >= 64 && head[0] == 'M' && head[1] == 'Z') {
    uint32_t peOffset = le32(&head[0x3c]);
    std::array<unsigned char, 26> pe{};
    if (!readAt(file, peOffset, pe.data(), pe.size()) ||
        std::memcmp(pe.data(), "PE\0\0", 4) != 0) {
      throw notA("it has an MZ header but no PE header (a DOS program or truncated file)");
    }
    ModuleFile result{};
    result.format = ModuleFormat::pe;
    result.machine = le16(&pe[4]);
    result.isLibrary = (le16(&pe[22]) & kPeFileDll) != 0;
    result.is64Bit = le16(&pe[24]) == kPe32PlusMagic;
    result.architecture = result.machine == kPeMachineI386    ? Architecture::x86
                          : result.machine == kPeMachineAmd64 ? Architecture::x64
                                                              : Architecture::unknown;
    if (auto why = peOutOfBounds(file, peOffset, size)) {
      throw notA("it is truncated or damaged: " + *why);
    }
    return result;
  }

  throw notA("expected a PE (Windows DLL) or ELF (shared object) header and found neither");
}

std::vector<std::string> importedDlls(const std::filesystem::path& path) {
  try {
    if (readModuleFile(path, "module").format != ModuleFormat::pe) return {};
    return readDependencies(path).needed;
  } catch (const Error&) {
    return {};
  }
}

}  // namespace bridge32
