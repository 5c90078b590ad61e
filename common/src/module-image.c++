#include "module-image.h"

#include <algorithm>
#include <cstring>

namespace bridge32::image {

bool readAt(std::ifstream& file, uint64_t offset, unsigned char* bytes, size_t size) {
  file.clear();
  file.seekg(std::streamoff(offset));
  file.read(reinterpret_cast<char*>(bytes), std::streamsize(size));
  return file && size_t(file.gcount()) == size;
}

std::string bytesText(uint64_t n) { return std::to_string(n) + " bytes"; }

PeSection PeSection::parse(const unsigned char* entry) {
  const char* name = reinterpret_cast<const char*>(entry);
  return {std::string(name, strnlen(name, 8)), le32(entry + 12), le32(entry + 8), le32(entry + 16),
          le32(entry + 20), le32(entry + 36)};
}

bool PeSection::maps(uint32_t rva) const {
  // A section spans its virtual size, or its raw size when a linker left the virtual size 0.
  return rva >= virtualAddress && rva - virtualAddress < std::max(virtualSize, rawSize);
}

bool PeSection::isCode() const {
  constexpr uint32_t kContainsCode = 0x20, kExecutable = 0x20000000;
  return (characteristics & (kContainsCode | kExecutable)) != 0;
}

const PeSection* peSectionOf(std::span<const PeSection> sections, uint32_t rva) {
  auto found = std::ranges::find_if(sections, [rva](const PeSection& s) { return s.maps(rva); });
  return found == sections.end() ? nullptr : &*found;
}

std::optional<FileSpan> peFileSpan(std::span<const PeSection> sections, uint32_t rva) {
  const PeSection* section = peSectionOf(sections, rva);
  if (!section || rva - section->virtualAddress >= section->rawSize) return std::nullopt;
  uint32_t into = rva - section->virtualAddress;
  return FileSpan{uint64_t(section->rawOffset) + into, uint64_t(section->rawSize) - into};
}

}  // namespace bridge32::image
