// The import library of an x64 DLL the tool writes (wrap-files.h): what a linker needs to build a
// program against the DLL without the DLL, one file that MSVC's link, lld-link and MinGW's ld all
// read. It is an archive in Microsoft's import-library layout:
//
//   "!<arch>\n"
//   "/"   the first linker member: symbols and the offsets of their members (big-endian)
//   "/"   the second linker member: the same, sorted, by member index (little-endian)
//   "//"  long member names, when the DLL's name does not fit in 15 characters
//   an object holding the DLL's import descriptor (__IMPORT_DESCRIPTOR_<stem>), which
//     reaches the two below
//   an object holding the null import descriptor that ends the program's import directory
//   an object holding the null thunks that end the DLL's lookup and address tables
//   one short import object per function: its name and the DLL's, from which the linker makes
//     the function's symbol (a jump through its slot) and __imp_ symbol (the slot)
//
// The layout is Microsoft's PE format specification's ("Archive (Library) File Format", "Import
// Library Format"); the three objects are what Microsoft's own tools put in every import library.
#include <algorithm>
#include <cstring>
#include <utility>

#include "bridge32/error.h"
#include "wrap-files.h"

namespace bridge32::tool {

namespace {

constexpr uint16_t kMachineAmd64 = 0x8664;
constexpr uint32_t kInitializedData = 0x00000040, kRead = 0x40000000, kWrite = 0x80000000;
constexpr uint32_t kAlign2 = 0x00200000, kAlign4 = 0x00300000, kAlign8 = 0x00400000;
constexpr uint8_t kExternal = 2, kStatic = 3, kSectionClass = 104;
constexpr uint16_t kAddr32NB = 3;  // IMAGE_REL_AMD64_ADDR32NB: the RVA of the symbol

class Bytes {
 public:
  template <typename T>
  void put(T value) {
    append(&value, sizeof value);
  }
  void putBigEndian(uint32_t value) {
    const uint8_t bytes[] = {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8),
                             uint8_t(value)};
    append(bytes, 4);
  }
  void append(const void* data, size_t size) {
    bytes_.insert(bytes_.end(), static_cast<const uint8_t*>(data),
                  static_cast<const uint8_t*>(data) + size);
  }
  void appendString(const std::string& text) { append(text.c_str(), text.size() + 1); }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

// A COFF object of a few sections, symbols and relocations: the three objects every import
// library holds.
class Object {
 public:
  struct Relocation {
    uint32_t offset;
    uint32_t symbol;
  };
  struct Section {
    const char* name;
    std::vector<uint8_t> data;
    uint32_t characteristics;
    std::vector<Relocation> relocations;
  };
  struct Symbol {
    std::string name;
    int16_t section;  // 1-based; 0 for one defined elsewhere
    uint8_t storageClass;
  };

  std::vector<Section> sections;
  std::vector<Symbol> symbols;

  std::vector<uint8_t> write() const {
    Bytes out;
    const size_t headerBytes = 20 + 40 * sections.size();
    size_t at = headerBytes;
    std::vector<size_t> dataAt, relocationsAt;
    for (const Section& section : sections) {
      dataAt.push_back(at);
      at += section.data.size();
      relocationsAt.push_back(at);
      at += 10 * section.relocations.size();
    }
    // File header.
    out.put(kMachineAmd64);
    out.put(uint16_t(sections.size()));
    out.put(uint32_t(0));  // TimeDateStamp
    out.put(uint32_t(at));  // PointerToSymbolTable
    out.put(uint32_t(symbols.size()));
    out.put(uint16_t(0));  // SizeOfOptionalHeader
    out.put(uint16_t(0));  // Characteristics
    for (size_t i = 0; i < sections.size(); ++i) {
      char name[8] = {};
      std::memcpy(name, sections[i].name, std::strlen(sections[i].name));
      out.append(name, 8);
      out.put(uint32_t(0));  // VirtualSize
      out.put(uint32_t(0));  // VirtualAddress
      out.put(uint32_t(sections[i].data.size()));
      out.put(uint32_t(dataAt[i]));
      out.put(uint32_t(sections[i].relocations.empty() ? 0 : relocationsAt[i]));
      out.put(uint32_t(0));  // PointerToLinenumbers
      out.put(uint16_t(sections[i].relocations.size()));
      out.put(uint16_t(0));
      out.put(sections[i].characteristics);
    }
    for (const Section& section : sections) {
      out.append(section.data.data(), section.data.size());
      for (const Relocation& relocation : section.relocations) {
        out.put(relocation.offset);
        out.put(relocation.symbol);
        out.put(kAddr32NB);
      }
    }
    // Symbols: a name of up to 8 bytes in place, a longer one in the string table that follows.
    std::string strings;
    for (const Symbol& symbol : symbols) {
      if (symbol.name.size() <= 8) {
        char name[8] = {};
        std::memcpy(name, symbol.name.data(), symbol.name.size());
        out.append(name, 8);
      } else {
        out.put(uint32_t(0));
        out.put(uint32_t(4 + strings.size()));
        strings += symbol.name;
        strings += '\0';
      }
      out.put(uint32_t(0));  // Value
      out.put(symbol.section);
      out.put(uint16_t(0));  // Type
      out.put(symbol.storageClass);
      out.put(uint8_t(0));  // NumberOfAuxSymbols
    }
    out.put(uint32_t(4 + strings.size()));
    out.append(strings.data(), strings.size());
    return out.take();
  }
};

struct Member {
  std::vector<uint8_t> data;
  std::vector<std::string> symbols;
};

}  // namespace

std::vector<uint8_t> writeImportLibrary(const std::string& dllName,
                                        const std::vector<std::string>& exports) {
  if (exports.empty()) throw Error(Error::Kind::invalidArgument, "an import library of nothing");
  const std::string stem = dllName.substr(0, dllName.rfind('.'));
  const std::string descriptorSymbol = "__IMPORT_DESCRIPTOR_" + stem;
  const std::string nullDescriptorSymbol = "__NULL_IMPORT_DESCRIPTOR";
  const std::string nullThunkSymbol = "\x7f" + stem + "_NULL_THUNK_DATA";
  std::vector<Member> members;

  {
    // The import descriptor: its name, lookup and address tables filled in by the linker (the
    // .idata$4 and .idata$5 sections that the functions' imports and the null thunk add to).
    Object object;
    std::vector<uint8_t> name(dllName.begin(), dllName.end());
    name.resize(name.size() + 1 + (dllName.size() + 1) % 2);
    object.sections = {{".idata$2", std::vector<uint8_t>(20), kAlign4 | kInitializedData | kRead | kWrite,
                        {{12, 2}, {0, 3}, {16, 4}}},
                       {".idata$6", name, kAlign2 | kInitializedData | kRead | kWrite, {}}};
    object.symbols = {{descriptorSymbol, 1, kExternal}, {".idata$2", 1, kSectionClass},
                      {".idata$6", 2, kStatic},         {".idata$4", 0, kSectionClass},
                      {".idata$5", 0, kSectionClass},   {nullDescriptorSymbol, 0, kExternal},
                      {nullThunkSymbol, 0, kExternal}};
    members.push_back({object.write(), {descriptorSymbol}});
  }
  {
    Object object;
    object.sections = {{".idata$3", std::vector<uint8_t>(20), kAlign4 | kInitializedData | kRead | kWrite, {}}};
    object.symbols = {{nullDescriptorSymbol, 1, kExternal}};
    members.push_back({object.write(), {nullDescriptorSymbol}});
  }
  {
    Object object;
    object.sections = {{".idata$5", std::vector<uint8_t>(8), kAlign8 | kInitializedData | kRead | kWrite, {}},
                       {".idata$4", std::vector<uint8_t>(8), kAlign8 | kInitializedData | kRead | kWrite, {}}};
    object.symbols = {{nullThunkSymbol, 1, kExternal}};
    members.push_back({object.write(), {nullThunkSymbol}});
  }
  // The functions, each with the hint the loader tries first: its place in the DLL's sorted
  // name table (wrap-pe.c++ sorts the same way).
  std::vector<std::string> sorted = exports;
  std::sort(sorted.begin(), sorted.end());
  for (const std::string& function : exports) {
    Bytes object;
    object.put(uint16_t(0));       // Sig1: IMAGE_FILE_MACHINE_UNKNOWN
    object.put(uint16_t(0xFFFF));  // Sig2
    object.put(uint16_t(0));       // Version
    object.put(kMachineAmd64);
    object.put(uint32_t(0));  // TimeDateStamp
    object.put(uint32_t(function.size() + 1 + dllName.size() + 1));
    object.put(uint16_t(std::lower_bound(sorted.begin(), sorted.end(), function) - sorted.begin()));
    object.put(uint16_t(1 << 2));  // IMPORT_CODE, imported by its name as it is
    object.appendString(function);
    object.appendString(dllName);
    members.push_back({object.take(), {function, "__imp_" + function}});
  }

  // Every member is named after the DLL; a name over 15 characters goes in "//".
  std::string memberName = dllName + "/", longNames;
  if (memberName.size() > 16) {
    longNames = dllName + "/\n";
    memberName = "/0";
  }
  size_t symbolCount = 0;
  for (const Member& member : members) symbolCount += member.symbols.size();
  size_t stringBytes = 0;
  for (const Member& member : members) {
    for (const auto& symbol : member.symbols) stringBytes += symbol.size() + 1;
  }
  const auto padded = [](size_t size) { return size + size % 2; };
  const size_t firstLinkerBytes = 4 + 4 * symbolCount + stringBytes;
  const size_t secondLinkerBytes = 4 + 4 * members.size() + 4 + 2 * symbolCount + stringBytes;
  size_t at = 8 + 60 + padded(firstLinkerBytes) + 60 + padded(secondLinkerBytes);
  if (!longNames.empty()) at += 60 + padded(longNames.size());
  std::vector<uint32_t> offsets;
  for (const Member& member : members) {
    offsets.push_back(uint32_t(at));
    at += 60 + padded(member.data.size());
  }
  if (at > UINT32_MAX) throw Error(Error::Kind::invalidArgument, "an import library over 4 GB");

  Bytes out;
  out.append("!<arch>\n", 8);
  // A member's header: name, date, user, group, mode and size as left-aligned text fields.
  const auto header = [&](const std::string& name, size_t size) {
    std::string text;
    for (auto [field, width] : {std::pair<std::string, size_t>{name, 16}, {"0", 12}, {"", 6},
                                {"", 6}, {"0", 8}, {std::to_string(size), 10}}) {
      text += field + std::string(width - field.size(), ' ');
    }
    text += "`\n";
    out.append(text.data(), text.size());
  };
  const auto pad = [&](size_t size) {
    if (size % 2) out.append("\n", 1);
  };
  // First linker member: each symbol with its member's offset, in member order.
  header("/", firstLinkerBytes);
  out.putBigEndian(uint32_t(symbolCount));
  for (size_t i = 0; i < members.size(); ++i) {
    for (size_t k = 0; k < members[i].symbols.size(); ++k) out.putBigEndian(offsets[i]);
  }
  for (const Member& member : members) {
    for (const auto& symbol : member.symbols) out.appendString(symbol);
  }
  pad(firstLinkerBytes);
  // Second linker member: the members' offsets, then the symbols sorted with their members'
  // (1-based) indices.
  header("/", secondLinkerBytes);
  out.put(uint32_t(members.size()));
  for (uint32_t offset : offsets) out.put(offset);
  std::vector<std::pair<std::string, uint16_t>> symbols;
  for (size_t i = 0; i < members.size(); ++i) {
    for (const auto& symbol : members[i].symbols) symbols.emplace_back(symbol, uint16_t(i + 1));
  }
  std::sort(symbols.begin(), symbols.end());
  out.put(uint32_t(symbols.size()));
  for (const auto& symbol : symbols) out.put(symbol.second);
  for (const auto& symbol : symbols) out.appendString(symbol.first);
  pad(secondLinkerBytes);
  if (!longNames.empty()) {
    header("//", longNames.size());
    out.append(longNames.data(), longNames.size());
    pad(longNames.size());
  }
  for (const Member& member : members) {
    header(memberName, member.data.size());
    out.append(member.data.data(), member.data.size());
    pad(member.data.size());
  }
  return out.take();
}

}  // namespace bridge32::tool
