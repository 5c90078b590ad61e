// What a module file says it needs, read from the file alone: the DLLs of a PE file's import and
// delay-load directories; the DT_NEEDED, DT_SONAME and run paths of an ELF file's dynamic
// section. Finding those files as the loader would is module-dependencies.c++'s part.
#include <algorithm>
#include <string>

#include "bridge32/error.h"
#include "module-dependencies.h"
#include "module-image.h"

namespace bridge32 {

namespace {

using image::le16;
using image::le32;
using image::le64;
using image::ModuleBytes;

// More imported DLLs than any real module has; a table without its end within this many is
// damage, not a big module.
constexpr uint64_t kMaxImportedModules = 4096;
// More dynamic section entries than any linker writes.
constexpr uint64_t kMaxDynamicEntries = 65536;

// ---- PE -----------------------------------------------------------------------------------

// The DLL names of the import directory (IMAGE_IMPORT_DESCRIPTOR, 20 bytes each) and of the
// delay-load directory (IMAGE_DELAYLOAD_DESCRIPTOR, 32 bytes each).
void readPeImports(ModuleBytes& bytes, ModuleDependencies& result) {
  image::PeLayout layout(bytes);
  if (uint32_t rva = layout.directory(image::PeLayout::kImportDirectory).first) {
    for (uint64_t i = 0;; ++i) {
      if (i == kMaxImportedModules) {
        bytes.damaged("its import directory does not end within " +
                      std::to_string(kMaxImportedModules) + " DLLs");
      }
      std::string what = "its import descriptor " + std::to_string(i);
      auto descriptor = layout.readTable(uint32_t(rva + i * 20), 20, what);
      uint32_t name = le32(&descriptor[12]), addresses = le32(&descriptor[16]);
      // The loaders stop at the first descriptor without a name or an address table.
      if (name == 0 || addresses == 0) break;
      result.needed.push_back(layout.stringAt(name, what + "'s DLL name"));
    }
  }
  if (uint32_t rva = layout.directory(image::PeLayout::kDelayImportDirectory).first) {
    for (uint64_t i = 0;; ++i) {
      if (i == kMaxImportedModules) {
        bytes.damaged("its delay-load import directory does not end within " +
                      std::to_string(kMaxImportedModules) + " DLLs");
      }
      std::string what = "its delay-load descriptor " + std::to_string(i);
      auto descriptor = layout.readTable(uint32_t(rva + i * 32), 32, what);
      uint32_t attributes = le32(&descriptor[0]);
      uint64_t name = le32(&descriptor[4]);
      if (name == 0) break;
      // Old linkers wrote addresses (VAs) instead of RVAs, and said so by leaving bit 0 clear.
      constexpr uint32_t kRvaBased = 1;
      if ((attributes & kRvaBased) == 0 && !layout.is64Bit()) {
        if (name < layout.imageBase() || name - layout.imageBase() > UINT32_MAX) {
          bytes.damaged(what + "'s DLL name is at " + image::hex(name) +
                        ", outside the image (based at " + image::hex(layout.imageBase()) + ")");
        }
        name -= layout.imageBase();
      }
      result.delayLoaded.push_back(layout.stringAt(uint32_t(name), what + "'s DLL name"));
    }
  }
}

// ---- ELF ----------------------------------------------------------------------------------

constexpr uint32_t kPtLoad = 1, kPtDynamic = 2;
constexpr uint64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtSoname = 14,
                   kDtRpath = 15, kDtRunpath = 29;

struct ElfSegment {
  uint32_t type;
  uint64_t offset, address, fileSize;
};

// DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH of the dynamic segment, their strings found
// through the loadable segment that maps DT_STRTAB, as the loader finds them.
void readElfDynamic(ModuleBytes& bytes, ModuleDependencies& result) {
  auto head = bytes.read(0, 52, "its ELF header");
  bool is64Bit = head[4] == 2;
  if (is64Bit) head = bytes.read(0, 64, "its ELF header");
  uint64_t phoff = is64Bit ? le64(&head[0x20]) : le32(&head[0x1c]);
  uint16_t phentsize = le16(&head[is64Bit ? 0x36 : 0x2a]);
  uint16_t phnum = le16(&head[is64Bit ? 0x38 : 0x2c]);
  uint64_t wanted = is64Bit ? 0x38 : 0x20;
  if (phnum > 0 && phentsize < wanted) {
    bytes.damaged("its program headers are " + image::bytesText(phentsize) + ", not " +
                  std::to_string(wanted));
  }
  std::vector<ElfSegment> segments;
  for (uint16_t i = 0; i < phnum; ++i) {
    auto entry = bytes.read(phoff + uint64_t(i) * phentsize, wanted,
                            "its program header " + std::to_string(i));
    const unsigned char* p = entry.data();
    segments.push_back(is64Bit ? ElfSegment{le32(p), le64(p + 8), le64(p + 16), le64(p + 32)}
                               : ElfSegment{le32(p), le32(p + 4), le32(p + 8), le32(p + 16)});
  }
  auto dynamic = std::ranges::find(segments, kPtDynamic, &ElfSegment::type);
  if (dynamic == segments.end()) return;  // linked statically: it needs nothing

  uint64_t entrySize = is64Bit ? 16 : 8;
  uint64_t count = std::min(dynamic->fileSize / entrySize, kMaxDynamicEntries);
  auto entries = bytes.read(dynamic->offset, count * entrySize, "its dynamic section");
  std::vector<std::pair<uint64_t, uint64_t>> tags;  // {tag, value} up to DT_NULL
  for (uint64_t i = 0; i < count; ++i) {
    const unsigned char* p = &entries[i * entrySize];
    uint64_t tag = is64Bit ? le64(p) : le32(p), value = is64Bit ? le64(p + 8) : le32(p + 4);
    if (tag == kDtNull) break;
    tags.emplace_back(tag, value);
  }
  auto valueOf = [&](uint64_t tag) -> std::optional<uint64_t> {
    auto found = std::ranges::find(tags, tag, &std::pair<uint64_t, uint64_t>::first);
    return found == tags.end() ? std::nullopt : std::optional(found->second);
  };
  auto strtab = valueOf(kDtStrtab), strsz = valueOf(kDtStrsz);
  bool anyString = std::ranges::any_of(tags, [](auto& tag) {
    return tag.first == kDtNeeded || tag.first == kDtSoname || tag.first == kDtRpath ||
           tag.first == kDtRunpath;
  });
  if (!anyString) return;
  if (!strtab || !strsz) bytes.damaged("its dynamic section has names but no string table");
  // The string table is addressed as the process sees it: find the file bytes that hold it.
  auto holder = std::ranges::find_if(segments, [&](const ElfSegment& s) {
    return s.type == kPtLoad && *strtab >= s.address && *strtab - s.address < s.fileSize;
  });
  if (holder == segments.end()) {
    bytes.damaged("its dynamic string table (at " + image::hex(*strtab) +
                  ") is in no loadable segment's data");
  }
  uint64_t tableOffset = holder->offset + (*strtab - holder->address);
  uint64_t tableSize = std::min(*strsz, holder->fileSize - (*strtab - holder->address));
  auto stringAt = [&](uint64_t at, const std::string& what) {
    if (at >= tableSize) {
      bytes.damaged(what + " is at " + std::to_string(at) + ", past its string table (" +
                    image::bytesText(tableSize) + ")");
    }
    return bytes.cString(tableOffset + at, tableSize - at, what);
  };
  auto directories = [](const std::string& list) {
    std::vector<std::string> split;
    std::stringstream stream(list);
    for (std::string entry; std::getline(stream, entry, ':');) {
      if (!entry.empty()) split.push_back(entry);
    }
    return split;
  };
  for (auto [tag, value] : tags) {
    if (tag == kDtNeeded) {
      result.needed.push_back(stringAt(value, "a DT_NEEDED name"));
    } else if (tag == kDtSoname) {
      result.soname = stringAt(value, "its DT_SONAME");
    } else if (tag == kDtRpath) {
      for (auto& entry : directories(stringAt(value, "its DT_RPATH"))) result.rpath.push_back(entry);
    } else if (tag == kDtRunpath) {
      for (auto& entry : directories(stringAt(value, "its DT_RUNPATH"))) {
        result.runpath.push_back(entry);
      }
    }
  }
}

}  // namespace

ModuleDependencies readDependencies(const std::filesystem::path& path) {
  ModuleFile module = readModuleFile(path, "module");
  ModuleDependencies result;
  if (module.format == ModuleFormat::pe) {
    ModuleBytes bytes(path, "import table");
    readPeImports(bytes, result);
  } else {
    ModuleBytes bytes(path, "dynamic section");
    readElfDynamic(bytes, result);
  }
  return result;
}

}  // namespace bridge32
