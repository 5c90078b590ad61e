#include "module-exports.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <tuple>
#include <memory>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#define BRIDGE32_HAVE_CXXABI 1
#endif

#include "bridge32/error.h"
#include "closest-names.h"
#include "module-file.h"
#include "module-image.h"

namespace bridge32 {

namespace {

using image::le16;
using image::le32;
using image::le64;
using image::hex;
using image::ModuleBytes;

// PE ordinals are 16 bits (GetProcAddress takes one in the low word of its name argument), so
// no export table addresses more functions: a larger count is damage, not a big DLL.
constexpr uint64_t kMaxPeExports = 65536;
// The largest ELF table read, far beyond any real library's dynamic symbols (a browser engine's
// are a few megabytes): a larger claim is damage, and must not become an allocation that size.
constexpr uint64_t kMaxElfTable = 64u << 20;
// The longest name demangled: the demangler recurses into a name's parts, and a hostile name
// could nest them deep enough to exhaust the stack.
constexpr size_t kMaxDemangledInput = 4096;

// An Itanium C++ name ("_Z3addii", which MinGW uses too) demangled, or empty.
std::string demangle(const std::string& name) {
#if BRIDGE32_HAVE_CXXABI
  if (!name.starts_with("_Z") || name.size() > kMaxDemangledInput) return {};
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> text(
      abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && text ? std::string(text.get()) : std::string();
#else
  return {};  // MSVC's library has no Itanium demangler, and its own names are not Itanium
#endif
}

// ---- PE -----------------------------------------------------------------------------------

// The export directory (IMAGE_EXPORT_DIRECTORY) of a PE file, and the section table its
// addresses are resolved through.
class PeExportTable {
 public:
  explicit PeExportTable(ModuleBytes& bytes) : bytes_(bytes), layout_(bytes) {
    std::tie(directoryRva_, directorySize_) = layout_.directory(image::PeLayout::kExportDirectory);
  }

  std::vector<Export> exports() {
    if (directoryRva_ == 0) return {};  // a DLL that exports nothing has no export directory
    auto directory = readTable(directoryRva_, 40, "its export directory");
    uint32_t base = le32(&directory[16]);
    uint64_t functionCount = le32(&directory[20]), nameCount = le32(&directory[24]);
    checkCount(functionCount, "functions");
    checkCount(nameCount, "names");
    if (functionCount != 0 && base + (functionCount - 1) > UINT32_MAX) {
      bytes_.damaged("its ordinals (from " + std::to_string(base) + ", " +
                     std::to_string(functionCount) + " of them) overflow 32 bits");
    }
    functions_ = readTable(le32(&directory[28]), functionCount * 4, "its export address table");
    auto names = readTable(le32(&directory[32]), nameCount * 4, "its export name table");
    auto indexes = readTable(le32(&directory[36]), nameCount * 2, "its export ordinal table");

    std::vector<Export> exports;
    std::vector<bool> named(functionCount);
    for (uint64_t i = 0; i < nameCount; ++i) {
      std::string name = stringAt(le32(&names[i * 4]), "its export name " + std::to_string(i));
      uint16_t index = le16(&indexes[i * 2]);
      if (index >= functionCount) {
        bytes_.damaged("its export '" + validUtf8(name) + "' has index " + std::to_string(index) +
                       ", past its " + std::to_string(functionCount) + " functions");
      }
      named[index] = true;
      exports.push_back(describe(index, base, std::move(name)));
    }
    for (uint32_t index = 0; index < functionCount; ++index) {
      // An address of 0 is a gap in the ordinals, not an export.
      if (!named[index] && le32(&functions_[index * 4]) != 0) {
        exports.push_back(describe(index, base, {}));
      }
    }
    return exports;
  }

 private:
  void checkCount(uint64_t count, const std::string& what) {
    if (count > kMaxPeExports) {
      bytes_.damaged("its export directory claims " + std::to_string(count) + " " + what +
                     " (PE ordinals address at most " + std::to_string(kMaxPeExports) + ")");
    }
  }

  std::vector<unsigned char> readTable(uint32_t rva, uint64_t length, const std::string& what) {
    return layout_.readTable(rva, length, what);
  }
  std::string stringAt(uint32_t rva, const std::string& what) { return layout_.stringAt(rva, what); }

  // Export `index` of the address table, which has ordinal `base` + `index`.
  Export describe(uint32_t index, uint32_t base, std::string name) {
    Export result;
    result.ordinal = base + index;
    std::string what = "its export " + (name.empty() ? "#" + std::to_string(*result.ordinal)
                                                     : "'" + validUtf8(name) + "'");
    uint32_t rva = le32(&functions_[index * 4]);
    // An address inside the export directory is no code: it is the text "DLL.Name" (or
    // "DLL.#12") of the export the loader binds instead.
    if (rva >= directoryRva_ && rva - directoryRva_ < directorySize_) {
      result.forwarder = stringAt(rva, what + "'s forwarder");
      result.isFunction = true;
    } else if (const image::PeSection* section = image::peSectionOf(layout_.sections(), rva)) {
      result.isFunction = section->isCode();
    } else {
      bytes_.damaged(what + " is at RVA " + hex(rva) + ", outside every section");
    }
    result.demangled = demangle(name);
    result.name = std::move(name);
    return result;
  }

  ModuleBytes& bytes_;
  image::PeLayout layout_;
  uint32_t directoryRva_ = 0, directorySize_ = 0;
  std::vector<unsigned char> functions_;  // the export address table: an RVA per ordinal
};

// ---- ELF ----------------------------------------------------------------------------------

constexpr uint32_t kShtStringTable = 3, kShtDynamicSymbols = 11;
constexpr uint32_t kShtVersionDefinitions = 0x6ffffffd, kShtVersionIndexes = 0x6fffffff;
constexpr uint16_t kShnUndefined = 0, kShnAbsolute = 0xfff1;
constexpr uint8_t kSttObject = 1, kSttFunction = 2, kSttCommon = 5, kSttThreadLocal = 6,
                  kSttIndirectFunction = 10;  // STT_GNU_IFUNC: a function chosen at load time
constexpr uint8_t kStbLocal = 0;
constexpr uint8_t kStvHidden = 2, kStvInternal = 1;

struct ElfSection {
  uint32_t type, link;
  uint64_t offset, size, entrySize;
};

struct ElfSymbol {
  uint32_t name;
  uint8_t type, binding, visibility;
  uint16_t section;
};

// The dynamic symbols of an ELF file, as its section table finds them.
class ElfSymbolTable {
 public:
  explicit ElfSymbolTable(ModuleBytes& bytes) : bytes_(bytes) {
    auto head = bytes_.read(0, 52, "its ELF header");
    is64Bit_ = head[4] == 2;
    if (is64Bit_) head = bytes_.read(0, 64, "its ELF header");
    readSections(head.data());
  }

  std::vector<Export> exports() {
    auto dynamic = std::ranges::find(sections_, kShtDynamicSymbols, &ElfSection::type);
    if (dynamic == sections_.end()) return {};  // linked statically: no dynamic symbols
    uint64_t entrySize = is64Bit_ ? 24 : 16;
    if (dynamic->entrySize != entrySize) {
      bytes_.damaged("its dynamic symbols are " + image::bytesText(dynamic->entrySize) +
                     " each, not " + std::to_string(entrySize));
    }
    auto symbols = readSection(*dynamic, "its dynamic symbol table");
    strings_ = readSection(linked(*dynamic, kShtStringTable, "string table"),
                           "its dynamic string table");
    uint64_t count = symbols.size() / entrySize;
    readVersions(uint32_t(dynamic - sections_.begin()), count);

    std::vector<Export> exports;
    for (uint64_t i = 1; i < count; ++i) {  // symbol 0 is always the null symbol
      ElfSymbol symbol = parseSymbol(&symbols[i * entrySize]);
      if (!isExported(symbol)) continue;
      Export result;
      result.name = stringAt(symbol.name, "the name of its dynamic symbol " + std::to_string(i));
      result.version = versionOf(i);
      // Old linkers define a symbol named after each version they define: not an export.
      bool isVersionMarker = symbol.section == kShnAbsolute && result.name == result.version;
      if (result.name.empty() || isVersionMarker) {
        continue;
      }
      result.isFunction = symbol.type == kSttFunction || symbol.type == kSttIndirectFunction;
      result.demangled = demangle(result.name);
      exports.push_back(std::move(result));
    }
    return exports;
  }

 private:
  void readSections(const unsigned char* head) {
    uint64_t offset = is64Bit_ ? le64(head + 0x28) : le32(head + 0x20);
    uint16_t entrySize = le16(head + (is64Bit_ ? 0x3a : 0x2e));
    uint16_t count = le16(head + (is64Bit_ ? 0x3c : 0x30));
    if (offset == 0 || count == 0) {
      throw Error(Error::Kind::unsupported,
                  "'" + utf8(bytes_.path()) +
                      "' has no section table: bridge32 finds its exports through it");
    }
    uint64_t needed = is64Bit_ ? 64 : 40;
    if (entrySize < needed) {
      bytes_.damaged("its section headers are " + image::bytesText(entrySize) + ", not " +
                     std::to_string(needed));
    }
    for (uint16_t i = 0; i < count; ++i) {
      auto entry = bytes_.read(offset + uint64_t(i) * entrySize, needed,
                               "its section header " + std::to_string(i));
      const unsigned char* p = entry.data();
      sections_.push_back(is64Bit_ ? ElfSection{le32(p + 4), le32(p + 40), le64(p + 24),
                                                le64(p + 32), le64(p + 56)}
                                   : ElfSection{le32(p + 4), le32(p + 24), le32(p + 16),
                                                le32(p + 20), le32(p + 36)});
    }
  }

  std::vector<unsigned char> readSection(const ElfSection& section, const std::string& what) {
    if (section.size > kMaxElfTable) {
      bytes_.damaged(what + " claims " + image::bytesText(section.size) +
                     " (bridge32 reads at most " + image::bytesText(kMaxElfTable) + ")");
    }
    return bytes_.read(section.offset, section.size, what);
  }

  // The section `section` links to (sh_link), which must be of `type`.
  const ElfSection& linked(const ElfSection& section, uint32_t type, const std::string& what) {
    if (section.link >= sections_.size() || sections_[section.link].type != type) {
      bytes_.damaged("its dynamic symbol table's " + what + " (section " +
                     std::to_string(section.link) + ") is missing");
    }
    return sections_[section.link];
  }

  ElfSymbol parseSymbol(const unsigned char* p) const {
    uint8_t info = p[is64Bit_ ? 4 : 12], other = p[is64Bit_ ? 5 : 13];
    return {le32(p), uint8_t(info & 0xf), uint8_t(info >> 4), uint8_t(other & 3),
            le16(p + (is64Bit_ ? 6 : 14))};
  }

  // Whether dlsym finds `symbol` in this file: defined here, global or weak, not hidden, and
  // a function or data (not a section or file name, nor a linker's marker without a type).
  static bool isExported(const ElfSymbol& symbol) {
    bool isCodeOrData = symbol.type == kSttFunction || symbol.type == kSttIndirectFunction ||
                        symbol.type == kSttObject || symbol.type == kSttCommon ||
                        symbol.type == kSttThreadLocal;
    return symbol.section != kShnUndefined && symbol.binding != kStbLocal &&
           symbol.visibility != kStvHidden && symbol.visibility != kStvInternal && isCodeOrData;
  }

  std::string stringAt(uint64_t offset, const std::string& what) const {
    if (offset >= strings_.size()) {
      bytes_.damaged(what + " is at " + std::to_string(offset) + ", past its string table (" +
                     image::bytesText(strings_.size()) + ")");
    }
    auto begin = strings_.begin() + std::ptrdiff_t(offset);
    auto end = std::find(begin, strings_.end(), 0);
    if (end == strings_.end()) bytes_.damaged(what + " runs past the end of its string table");
    return std::string(begin, end);
  }

  // The GNU symbol versions: an index per dynamic symbol (.gnu.version) into the versions this
  // file defines (.gnu.version_d). Optional: without them, symbols have no version.
  void readVersions(uint32_t symbolSection, uint64_t symbolCount) {
    auto indexes = std::ranges::find_if(sections_, [&](const ElfSection& s) {
      return s.type == kShtVersionIndexes && s.link == symbolSection;
    });
    auto definitions = std::ranges::find(sections_, kShtVersionDefinitions, &ElfSection::type);
    if (indexes == sections_.end() || definitions == sections_.end()) return;
    if (indexes->size < symbolCount * 2) {
      bytes_.damaged("its symbol version indexes (" + image::bytesText(indexes->size) +
                     ") do not cover its " + std::to_string(symbolCount) + " dynamic symbols");
    }
    versionIndexes_ = readSection(*indexes, "its symbol version indexes");
    readVersionDefinitions(readSection(*definitions, "its symbol version definitions"));
  }

  // Elf_Verdef entries (20 bytes) chained by vd_next, each naming its version in the first of
  // its Elf_Verdaux entries (8 bytes, at vd_aux): the same layout in ELF32 and ELF64.
  void readVersionDefinitions(const std::vector<unsigned char>& table) {
    constexpr uint16_t kBaseVersion = 1;  // VER_FLG_BASE: the file's own name, not a version
    uint64_t at = 0;
    // Each entry moves forward (vd_next > 0), so the chain ends; no more than fit in the table.
    for (size_t entries = 0; entries < table.size() / 20 && at + 20 <= table.size(); ++entries) {
      const unsigned char* entry = &table[at];
      uint64_t aux = at + le32(entry + 12);
      if ((le16(entry + 2) & kBaseVersion) == 0 && le16(entry + 6) > 0 && aux + 8 <= table.size()) {
        versions_[le16(entry + 4) & 0x7fff] =
            stringAt(le32(&table[aux]), "the name of symbol version " + std::to_string(entries));
      }
      uint32_t next = le32(entry + 16);
      if (next == 0) break;
      at += next;
    }
  }

  std::string versionOf(uint64_t symbol) const {
    if (versionIndexes_.empty()) return {};
    // The top bit marks a version that is not the default one ("name@V" rather than "name@@V").
    auto found = versions_.find(le16(&versionIndexes_[symbol * 2]) & 0x7fff);
    return found == versions_.end() ? std::string() : found->second;
  }

  ModuleBytes& bytes_;
  bool is64Bit_ = false;
  std::vector<ElfSection> sections_;
  std::vector<unsigned char> strings_;         // the dynamic string table
  std::vector<unsigned char> versionIndexes_;  // a 16-bit version index per dynamic symbol
  std::map<uint16_t, std::string> versions_;   // version index -> name, as this file defines them
};

// ---- closest names ------------------------------------------------------------------------

// `name` without a PE32 stdcall or fastcall decoration: "_Name@8", "@Name@8", and "Name@8" (as
// MinGW exports stdcall names) become "Name". Other names are returned as they are.
std::string_view withoutDecoration(std::string_view name) {
  auto at = name.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == name.size() ||
      !std::all_of(name.begin() + std::ptrdiff_t(at) + 1, name.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return name;
  }
  name = name.substr(0, at);
  if (name.size() > 1 && (name[0] == '_' || name[0] == '@')) name.remove_prefix(1);
  return name;
}

}  // namespace

std::vector<Export> listExports(const std::filesystem::path& path) {
  // First the checks every module gets: it exists, is PE or ELF, its headers and sections are in
  // the file. What follows can rely on the sections' raw data being in the file.
  ModuleFile module = readModuleFile(path, "module");
  ModuleBytes bytes(path, "export table");
  if (module.format == ModuleFormat::pe) return PeExportTable(bytes).exports();
  return ElfSymbolTable(bytes).exports();
}

std::vector<std::string> closestExports(const std::vector<Export>& exports, std::string_view wanted,
                                        size_t max) {
  // Each export by its name, and by its name without a stdcall decoration.
  std::vector<NameForm> forms;
  for (const Export& e : exports) {
    if (e.name.empty()) continue;
    forms.push_back({e.name, e.name});
    forms.push_back({e.name, withoutDecoration(e.name)});
  }
  return closestNames(forms, wanted, max);
}

}  // namespace bridge32
