// The 64-bit ELF shared object `bridge32 wrap LIB --header H` writes for an i386 `.so`
// (wrap-files.h): written whole by this code, no compiler or linker on the user's machine.
//
// It holds nothing but names and 32-byte entries. Entry i, exported under the name of function
// i, is
//     mov  r11d, i                     ; which function
//     lea  r10, [rip + module]         ; this wrapper's data block
//     jmp  [rip + got]                 ; b32w_enter, in libbridge32-wrap.so
// with the program's arguments untouched in their registers and on its stack. b32w_enter
// (host64/wrap) jumps to the function's closure, made at its first call from the file beside the
// wrapper. DT_NEEDED names libbridge32-wrap.so, found through DT_RUNPATH $ORIGIN beside it; the
// one relocation fills the GOT slot with b32w_enter.
//
// Layout: one read-execute segment (headers, .hash, .dynsym, .dynstr, .rela.dyn, .text) from
// offset 0, one read-write segment (.dynamic, .got, the data block) at the next page, then
// section headers for tools (nm, ld, readelf), which the loader does not read.
#include "wrap-files.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "bridge32/error.h"

namespace bridge32::tool {

namespace {

constexpr uint64_t kPage = 0x1000;
constexpr uint32_t kEntryBytes = 32;

uint32_t elfHash(const std::string& name) {
  uint32_t h = 0;
  for (unsigned char c : name) {
    h = (h << 4) + c;
    uint32_t g = h & 0xf0000000u;
    if (g) h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

struct Strings {
  std::string table = std::string(1, '\0');
  uint32_t add(const std::string& text) {
    auto at = uint32_t(table.size());
    table += text;
    table += '\0';
    return at;
  }
};

}  // namespace

std::vector<uint8_t> writeElfWrapper(const WrapperImage& wrapper) {
  const size_t count = wrapper.exports.size();
  if (count == 0) throw Error(Error::Kind::invalidArgument, "a wrapper of no functions");
  if (count > 1000000) throw Error(Error::Kind::invalidArgument, "a wrapper of too many functions");
  const uint32_t symbols = uint32_t(2 + count);  // null, b32w_enter, the exports

  Strings dynstr;
  uint32_t runtimeName = dynstr.add(wrapper.runtime);
  uint32_t soname = dynstr.add(wrapper.soname);
  uint32_t runpath = dynstr.add("$ORIGIN");
  uint32_t enterName = dynstr.add("b32w_enter");
  std::vector<uint32_t> exportNames;
  for (const auto& name : wrapper.exports) exportNames.push_back(dynstr.add(name));
  // Symbol versions: index 1 is the file's own (its soname), then each version its exports name.
  std::vector<std::string> versionNames;
  std::vector<uint16_t> versym(symbols, 1);  // VER_NDX_GLOBAL
  versym[0] = 0;                              // VER_NDX_LOCAL
  for (size_t i = 0; i < count; ++i) {
    const std::string& version = i < wrapper.versions.size() ? wrapper.versions[i] : "";
    if (version.empty()) continue;
    auto found = std::find(versionNames.begin(), versionNames.end(), version);
    if (found == versionNames.end()) found = versionNames.insert(versionNames.end(), version);
    versym[2 + i] = uint16_t(2 + (found - versionNames.begin()));
  }
  std::vector<uint32_t> versionStrings;
  for (const auto& version : versionNames) versionStrings.push_back(dynstr.add(version));
  const uint32_t verdefs = versionNames.empty() ? 0 : uint32_t(1 + versionNames.size());

  // Where everything goes (file offset = address: the segments are page-aligned alike).
  const uint32_t buckets = std::max<uint32_t>(1, symbols / 2 + 1);
  const uint64_t phoff = 64, phnum = 4;
  const uint64_t hash = phoff + phnum * 56;
  const uint64_t dynsym = alignUp(hash + 4 * (2 + buckets + symbols), 8);
  const uint64_t strtab = dynsym + 24 * uint64_t(symbols);
  const uint64_t versymAt = alignUp(strtab + dynstr.table.size(), 2);
  const uint64_t verdefAt = alignUp(versymAt + 2 * uint64_t(symbols), 4);
  const uint64_t rela = alignUp(verdefAt + 28 * uint64_t(verdefs), 8);
  const uint64_t text = alignUp(rela + 24, 16);
  const uint64_t textEnd = text + kEntryBytes * count;
  const uint64_t dynamic = alignUp(textEnd, kPage);
  const int dynamicEntries = verdefs ? 16 : 13;
  const uint64_t got = dynamic + 16 * dynamicEntries;
  const uint64_t module = got + 8;
  const uint64_t dataEnd = module + 8 * (1 + count);

  ImageBytes image;
  image.reserve(dataEnd);

  // The ELF header.
  const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1, 0};
  image.put(0, ident, sizeof ident);
  image.put<uint16_t>(16, 3);   // ET_DYN
  image.put<uint16_t>(18, 62);  // EM_X86_64
  image.put<uint32_t>(20, 1);
  image.put<uint64_t>(24, 0);   // no entry point
  image.put<uint64_t>(32, phoff);
  // e_shoff at 40, set below
  image.put<uint16_t>(52, 64);
  image.put<uint16_t>(54, 56);
  image.put<uint16_t>(56, uint16_t(phnum));
  image.put<uint16_t>(58, 64);

  auto programHeader = [&](int index, uint32_t type, uint32_t flags, uint64_t offset,
                           uint64_t size, uint64_t align) {
    uint64_t at = phoff + 56 * uint64_t(index);
    image.put<uint32_t>(at, type);
    image.put<uint32_t>(at + 4, flags);
    image.put<uint64_t>(at + 8, offset);
    image.put<uint64_t>(at + 16, offset);  // vaddr
    image.put<uint64_t>(at + 24, offset);  // paddr
    image.put<uint64_t>(at + 32, size);
    image.put<uint64_t>(at + 40, size);
    image.put<uint64_t>(at + 48, align);
  };
  programHeader(0, 1 /* PT_LOAD */, 5 /* R X */, 0, textEnd, kPage);
  programHeader(1, 1, 6 /* R W */, dynamic, dataEnd - dynamic, kPage);
  programHeader(2, 2 /* PT_DYNAMIC */, 6, dynamic, 16 * dynamicEntries, 8);
  programHeader(3, 0x6474e551 /* PT_GNU_STACK */, 6, 0, 0, 16);

  // .dynsym and .hash.
  auto symbol = [&](uint32_t index, uint32_t name, uint8_t info, uint16_t section,
                    uint64_t value, uint64_t size) {
    uint64_t at = dynsym + 24 * uint64_t(index);
    image.put<uint32_t>(at, name);
    image.put<uint8_t>(at + 4, info);
    image.put<uint8_t>(at + 5, 0);  // STV_DEFAULT
    image.put<uint16_t>(at + 6, section);
    image.put<uint64_t>(at + 8, value);
    image.put<uint64_t>(at + 16, size);
  };
  constexpr uint8_t kGlobalFunction = (1 << 4) | 2;  // STB_GLOBAL, STT_FUNC
  constexpr uint16_t kTextSection = 7;
  symbol(1, enterName, kGlobalFunction, 0 /* SHN_UNDEF */, 0, 0);
  for (size_t i = 0; i < count; ++i) {
    symbol(uint32_t(2 + i), exportNames[i], kGlobalFunction, kTextSection,
           text + kEntryBytes * i, kEntryBytes);
  }
  std::vector<uint32_t> bucket(buckets, 0), chain(symbols, 0);
  for (uint32_t index = 1; index < symbols; ++index) {
    const std::string& name = index == 1 ? std::string("b32w_enter") : wrapper.exports[index - 2];
    uint32_t b = elfHash(name) % buckets;
    chain[index] = bucket[b];
    bucket[b] = index;
  }
  image.put<uint32_t>(hash, buckets);
  image.put<uint32_t>(hash + 4, symbols);
  image.put(hash + 8, bucket.data(), 4 * bucket.size());
  image.put(hash + 8 + 4 * uint64_t(buckets), chain.data(), 4 * chain.size());
  image.put(strtab, dynstr.table.data(), dynstr.table.size());
  if (verdefs) {
    image.put(versymAt, versym.data(), 2 * versym.size());
    // Elf64_Verdef (20 bytes) and its one Elf64_Verdaux (8): the base first, flagged so.
    for (uint32_t i = 0; i < verdefs; ++i) {
      uint64_t at = verdefAt + 28 * uint64_t(i);
      const std::string& name = i == 0 ? wrapper.soname : versionNames[i - 1];
      image.put<uint16_t>(at, 1);                          // vd_version
      image.put<uint16_t>(at + 2, i == 0 ? 1 : 0);         // vd_flags: VER_FLG_BASE
      image.put<uint16_t>(at + 4, uint16_t(i + 1));        // vd_ndx
      image.put<uint16_t>(at + 6, 1);                      // vd_cnt
      image.put<uint32_t>(at + 8, elfHash(name));          // vd_hash
      image.put<uint32_t>(at + 12, 20);                    // vd_aux
      image.put<uint32_t>(at + 16, i + 1 < verdefs ? 28 : 0);  // vd_next
      image.put<uint32_t>(at + 20, i == 0 ? soname : versionStrings[i - 1]);  // vda_name
      image.put<uint32_t>(at + 24, 0);                     // vda_next
    }
  }

  // The one relocation: b32w_enter's address into the GOT.
  image.put<uint64_t>(rela, got);
  image.put<uint64_t>(rela + 8, (uint64_t(1) << 32) | 6 /* R_X86_64_GLOB_DAT */);
  image.put<int64_t>(rela + 16, 0);

  // The entries.
  for (size_t i = 0; i < count; ++i) {
    uint64_t at = text + kEntryBytes * i;
    uint8_t entry[kEntryBytes];
    std::memset(entry, 0xCC, sizeof entry);  // int3 after the jump
    entry[0] = 0x41;
    entry[1] = 0xBB;  // mov r11d, imm32
    auto index = uint32_t(i);
    std::memcpy(entry + 2, &index, 4);
    entry[6] = 0x4C;
    entry[7] = 0x8D;
    entry[8] = 0x15;  // lea r10, [rip + rel32]
    auto toModule = int32_t(int64_t(module) - int64_t(at + 13));
    std::memcpy(entry + 9, &toModule, 4);
    entry[13] = 0xFF;
    entry[14] = 0x25;  // jmp [rip + rel32]
    auto toGot = int32_t(int64_t(got) - int64_t(at + 19));
    std::memcpy(entry + 15, &toGot, 4);
    image.put(at, entry, sizeof entry);
  }

  // .dynamic
  const std::pair<int64_t, uint64_t> entries[16] = {
      {1, runtimeName},                 // DT_NEEDED
      {14, soname},                     // DT_SONAME
      {29, runpath},                    // DT_RUNPATH
      {4, hash},                        // DT_HASH
      {5, strtab},                      // DT_STRTAB
      {6, dynsym},                      // DT_SYMTAB
      {10, dynstr.table.size()},        // DT_STRSZ
      {11, 24},                         // DT_SYMENT
      {7, rela},                        // DT_RELA
      {8, 24},                          // DT_RELASZ
      {9, 24},                          // DT_RELAENT
      {0x6ffffffb, 1},                  // DT_FLAGS_1: DF_1_NOW
      {0x6ffffff0, versymAt},           // DT_VERSYM
      {0x6ffffffc, verdefAt},           // DT_VERDEF
      {0x6ffffffd, verdefs},            // DT_VERDEFNUM
      {0, 0}};                          // DT_NULL
  for (int i = 0; i < dynamicEntries; ++i) {
    // Without versions the three version entries are left out, DT_NULL last.
    auto entry = entries[!verdefs && i == dynamicEntries - 1 ? 15 : i];
    image.put<int64_t>(dynamic + 16 * uint64_t(i), entry.first);
    image.put<uint64_t>(dynamic + 16 * uint64_t(i) + 8, entry.second);
  }

  // Section headers, for tools.
  Strings names;
  struct Section {
    uint32_t name, type;
    uint64_t flags, offset, size;
    uint32_t link, info;
    uint64_t align, entsize;
  };
  constexpr uint64_t A = 2, W = 1, X = 4;
  const Section sections[] = {
      {0, 0, 0, 0, 0, 0, 0, 0, 0},
      {names.add(".hash"), 5, A, hash, 4 * (2 + uint64_t(buckets) + symbols), 2, 0, 8, 4},
      {names.add(".dynsym"), 11, A, dynsym, 24 * uint64_t(symbols), 3, 1, 8, 24},
      {names.add(".dynstr"), 3, A, strtab, dynstr.table.size(), 0, 0, 1, 0},
      {names.add(".gnu.version"), 0x6fffffff, A, versymAt, verdefs ? 2 * uint64_t(symbols) : 0,
       2, 0, 2, 2},
      {names.add(".gnu.version_d"), 0x6ffffffd, A, verdefAt, 28 * uint64_t(verdefs), 3,
       verdefs, 4, 0},
      {names.add(".rela.dyn"), 4, A, rela, 24, 2, 0, 8, 24},
      {names.add(".text"), 1, A | X, text, textEnd - text, 0, 0, 16, 0},
      {names.add(".dynamic"), 6, A | W, dynamic, 16 * uint64_t(dynamicEntries), 3, 0, 8, 16},
      {names.add(".got"), 1, A | W, got, 8, 0, 0, 8, 8},
      {names.add(".data"), 1, A | W, module, dataEnd - module, 0, 0, 8, 0},
      {names.add(".shstrtab"), 3, 0, 0, 0, 0, 0, 1, 0}};
  constexpr uint16_t kSections = sizeof sections / sizeof sections[0];
  uint64_t shstrtab = dataEnd;
  image.put(shstrtab, names.table.data(), names.table.size());
  uint64_t shoff = alignUp(shstrtab + names.table.size(), 8);
  for (uint16_t i = 0; i < kSections; ++i) {
    Section s = sections[i];
    if (i == kSections - 1) {
      s.offset = shstrtab;
      s.size = names.table.size();
    }
    uint64_t at = shoff + 64 * uint64_t(i);
    image.put<uint32_t>(at, s.name);
    image.put<uint32_t>(at + 4, s.type);
    image.put<uint64_t>(at + 8, s.flags);
    image.put<uint64_t>(at + 16, s.flags & A ? s.offset : 0);  // sh_addr
    image.put<uint64_t>(at + 24, s.offset);
    image.put<uint64_t>(at + 32, s.size);
    image.put<uint32_t>(at + 40, s.link);
    image.put<uint32_t>(at + 44, s.info);
    image.put<uint64_t>(at + 48, s.align);
    image.put<uint64_t>(at + 56, s.entsize);
  }
  image.put<uint64_t>(40, shoff);
  image.put<uint16_t>(60, kSections);
  image.put<uint16_t>(62, kSections - 1);
  return image.take();
}

}  // namespace bridge32::tool
