// Reading a module file's headers, for module-file.c++ and module-exports.c++: little-endian
// fields, reads that say when the file is too short, and the PE section table that maps a
// relative virtual address (RVA) to the file. Internal to common/.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <string>

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

}  // namespace bridge32::image
