// Reading a module file's headers, for module-file.c++, module-exports.c++ and
// module-dependencies.c++: little-endian fields, reads that say when the file is too short, and
// the PE section table that maps a relative virtual address (RVA) to the file. Internal to common/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bridge32::image {

inline uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | p[1] << 8); }
inline uint32_t le32(const unsigned char* p) {
  return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16;
}
inline uint64_t le64(const unsigned char* p) {
  return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32;
}

// Reads `size` bytes at `offset`, or says it cannot (the file is shorter).
bool readAt(std::ifstream& file, uint64_t offset, unsigned char* bytes, size_t size);

std::string bytesText(uint64_t n);  // "12 bytes"
std::string hex(uint64_t n);        // "0x1f"

// The longest name read from a table; mangled C++ names run to some kilobytes.
constexpr uint64_t kMaxNameBytes = 64u << 10;

// A module file read in pieces, each checked against its size: what does not fit is damage,
// thrown as Error::Kind::badModule naming the file and `table`, the part of it being read
// ("export table": "the export table of 'x.dll' is damaged: ...").
class ModuleBytes {
 public:
  ModuleBytes(const std::filesystem::path& path, std::string table);
  ModuleBytes(const ModuleBytes&) = delete;
  ModuleBytes& operator=(const ModuleBytes&) = delete;

  const std::filesystem::path& path() const { return path_; }
  uint64_t size() const { return size_; }

  [[noreturn]] void damaged(const std::string& why) const;

  // `length` bytes at `offset`; `what` names them in the error if they are not all in the file.
  std::vector<unsigned char> read(uint64_t offset, uint64_t length, const std::string& what);

  // The NUL-terminated string at `offset`, which must end within `available` bytes.
  std::string cString(uint64_t offset, uint64_t available, const std::string& what);

 private:
  std::filesystem::path path_;
  std::string table_;
  std::ifstream file_;
  uint64_t size_ = 0;
};

// Where a PE file's headers are: its "PE\0\0" signature is at e_lfanew (0x3c), the COFF header
// follows it, then the optional header, then the section table.
struct PeHeaders {
  static constexpr uint64_t kSignatureOffsetField = 0x3c;
  static constexpr uint64_t kCoffSize = 24;  // with the signature
  static constexpr uint64_t kSectionSize = 40;
  static constexpr uint16_t kPe32PlusMagic = 0x20b;
};

// One entry of a PE section table.
struct PeSection {
  std::string name;  // up to 8 bytes, as they are (not necessarily UTF-8)
  uint32_t virtualAddress, virtualSize, rawSize, rawOffset, characteristics;

  static PeSection parse(const unsigned char* entry);  // kSectionSize bytes
  // Whether the loader maps `rva` into this section (zero-filled past its raw data).
  bool maps(uint32_t rva) const;
  bool isCode() const;  // IMAGE_SCN_CNT_CODE or IMAGE_SCN_MEM_EXECUTE
};

// The bytes of the file an RVA stands for: `available` of them, from `offset` to the end of its
// section's raw data.
struct FileSpan {
  uint64_t offset;
  uint64_t available;
};

// The section the loader maps `rva` into, or nothing.
const PeSection* peSectionOf(std::span<const PeSection> sections, uint32_t rva);
// Where in the file the bytes at `rva` are, or nothing: in no section, or in the part of one the
// loader fills with zeros. (The sections' raw data must have been checked to lie in the file.)
std::optional<FileSpan> peFileSpan(std::span<const PeSection> sections, uint32_t rva);

// A PE file's layout as its tables are found through it: the section table that maps RVAs to
// the file, and the data directories (export, import, delay-load import, ...). Reads through
// `bytes`, whose damaged() reports what does not fit.
class PeLayout {
 public:
  static constexpr size_t kExportDirectory = 0, kImportDirectory = 1, kDelayImportDirectory = 13;

  explicit PeLayout(ModuleBytes& bytes);

  bool is64Bit() const { return is64Bit_; }
  uint64_t imageBase() const { return imageBase_; }
  std::span<const PeSection> sections() const { return sections_; }
  // Data directory `index` as {rva, size}; {0, 0} when the optional header has no such entry.
  std::pair<uint32_t, uint32_t> directory(size_t index) const;

  // Where the `length` bytes at `rva` are in the file; `what` names them if they are not.
  FileSpan locate(uint32_t rva, uint64_t length, const std::string& what);
  // The `length` bytes at `rva` (none for an empty table, which may have any address).
  std::vector<unsigned char> readTable(uint32_t rva, uint64_t length, const std::string& what);
  // The NUL-terminated string at `rva`, ending within its section's data.
  std::string stringAt(uint32_t rva, const std::string& what);

 private:
  ModuleBytes& bytes_;
  bool is64Bit_ = false;
  uint64_t imageBase_ = 0;
  std::vector<PeSection> sections_;
  std::vector<std::pair<uint32_t, uint32_t>> directories_;
};

}  // namespace bridge32::image
