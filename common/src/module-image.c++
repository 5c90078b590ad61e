#include "module-image.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "bridge32/error.h"
#include "bridge32/types.h"

namespace bridge32::image {

bool readAt(std::ifstream& file, uint64_t offset, unsigned char* bytes, size_t size) {
  file.clear();
  file.seekg(std::streamoff(offset));
  file.read(reinterpret_cast<char*>(bytes), std::streamsize(size));
  return file && size_t(file.gcount()) == size;
}

std::string bytesText(uint64_t n) { return std::to_string(n) + " bytes"; }

std::string hex(uint64_t n) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(n));
  return text;
}

ModuleBytes::ModuleBytes(const std::filesystem::path& path, std::string table)
    : path_(path), table_(std::move(table)), file_(path, std::ios::binary) {
  std::error_code error;
  size_ = std::filesystem::file_size(path, error);
  if (!file_ || error) {
    throw Error(Error::Kind::failed, "cannot read '" + utf8(path) + "' to read its " + table_);
  }
}

void ModuleBytes::damaged(const std::string& why) const {
  throw Error(Error::Kind::badModule,
              "the " + table_ + " of '" + utf8(path_) + "' is damaged: " + why);
}

std::vector<unsigned char> ModuleBytes::read(uint64_t offset, uint64_t length,
                                             const std::string& what) {
  if (offset > size_ || length > size_ - offset) {
    damaged(what + " (" + bytesText(length) + " at byte " + std::to_string(offset) +
            ") ends past the end of the file (" + bytesText(size_) + ")");
  }
  std::vector<unsigned char> bytes(length);
  if (!readAt(file_, offset, bytes.data(), bytes.size())) {
    throw Error(Error::Kind::failed, "cannot read " + what + " of '" + utf8(path_) + "'");
  }
  return bytes;
}

std::string ModuleBytes::cString(uint64_t offset, uint64_t available, const std::string& what) {
  uint64_t limit = std::min({available, kMaxNameBytes, size_ - std::min(offset, size_)});
  std::string text;
  // In small pieces: names are short, and `limit` may be a whole section.
  while (text.size() < limit) {
    auto piece = read(offset + text.size(), std::min<uint64_t>(256, limit - text.size()), what);
    auto end = std::find(piece.begin(), piece.end(), 0);
    text.append(piece.begin(), end);
    if (end != piece.end()) return text;
  }
  damaged(what + " at byte " + std::to_string(offset) + " does not end within " +
          bytesText(limit));
}

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

PeLayout::PeLayout(ModuleBytes& bytes) : bytes_(bytes) {
  uint32_t pe = le32(bytes_.read(PeHeaders::kSignatureOffsetField, 4, "its PE offset").data());
  auto coff = bytes_.read(pe, PeHeaders::kCoffSize, "its COFF header");
  uint16_t sectionCount = le16(&coff[6]), optionalSize = le16(&coff[20]);
  uint64_t optional = uint64_t(pe) + PeHeaders::kCoffSize;
  auto header = bytes_.read(optional, optionalSize, "its optional header");
  auto table = bytes_.read(optional + optionalSize, sectionCount * PeHeaders::kSectionSize,
                           "its section table");
  for (uint16_t i = 0; i < sectionCount; ++i) {
    sections_.push_back(PeSection::parse(&table[i * PeHeaders::kSectionSize]));
  }
  // The data directories end the optional header, after a count of them. A header too short
  // for an entry is a module without that table.
  is64Bit_ = optionalSize >= 2 && le16(header.data()) == PeHeaders::kPe32PlusMagic;
  size_t baseField = is64Bit_ ? 24 : 28, countField = is64Bit_ ? 108 : 92;
  size_t first = is64Bit_ ? 112 : 96;
  if (optionalSize >= baseField + (is64Bit_ ? 8 : 4)) {
    imageBase_ = is64Bit_ ? le64(&header[baseField]) : le32(&header[baseField]);
  }
  if (optionalSize < countField + 4) return;
  uint64_t count = std::min<uint64_t>(le32(&header[countField]), (optionalSize - first) / 8);
  for (uint64_t i = 0; i < count && i < 16; ++i) {
    directories_.emplace_back(le32(&header[first + i * 8]), le32(&header[first + i * 8 + 4]));
  }
}

std::pair<uint32_t, uint32_t> PeLayout::directory(size_t index) const {
  return index < directories_.size() ? directories_[index] : std::pair<uint32_t, uint32_t>{};
}

FileSpan PeLayout::locate(uint32_t rva, uint64_t length, const std::string& what) {
  auto span = peFileSpan(sections_, rva);
  if (!span) {
    bytes_.damaged(what + " is at RVA " + hex(rva) + ", outside every section's data in the file");
  }
  if (length > span->available) {
    bytes_.damaged(what + " (" + bytesText(length) + " at RVA " + hex(rva) +
                   ") runs past the end of section " + validUtf8(peSectionOf(sections_, rva)->name));
  }
  return *span;
}

std::vector<unsigned char> PeLayout::readTable(uint32_t rva, uint64_t length,
                                               const std::string& what) {
  if (length == 0) return {};
  return bytes_.read(locate(rva, length, what).offset, length, what);
}

std::string PeLayout::stringAt(uint32_t rva, const std::string& what) {
  auto span = locate(rva, 1, what);
  return bytes_.cString(span.offset, span.available, what);
}

}  // namespace bridge32::image
