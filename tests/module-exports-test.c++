// listExports reads what real PE and ELF files export (the fixture library in both bitnesses, a
// system library), and refuses damaged export tables, made here byte by byte, with badModule.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "bridge32/error.h"
#include "harness.h"
#include "module-exports.h"
#include "support.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {
namespace {

const Export* findExport(const std::vector<Export>& exports, std::string_view name) {
  auto found = std::ranges::find(exports, name, &Export::name);
  return found == exports.end() ? nullptr : &*found;
}

// Expects `name` among `exports`, as a function.
void expectFunction(const std::vector<Export>& exports, std::string_view name) {
  const Export* e = findExport(exports, name);
  ASSERT_NE(e, nullptr) << name << " is not listed";
  EXPECT_TRUE(e->isFunction) << name;
}

TEST(Exports, TheFixtureLibraryListsItsExportedFunctionsOnly) {
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
    SCOPED_TRACE(std::string(toString(architecture)));
    auto exports = listExports(test::pluginPath(architecture, "b32-library"));
    for (const char* name : {"add", "neg8", "inc_u64", "hypot_d", "make_mixed", "sum_samples",
                             "greet", "apply", "fire_async", "this_get", "format", "ctx_new"}) {
      expectFunction(exports, name);
    }
    // Its static functions and variables stay inside.
    EXPECT_EQ(findExport(exports, "listener"), nullptr);
    EXPECT_EQ(findExport(exports, "startFiring"), nullptr);
#if _WIN32
    expectFunction(exports, "window_class");
    const Export* add = findExport(exports, "add");
    ASSERT_TRUE(add->ordinal.has_value());
    // The .def file's additions: a forwarder, and an export by ordinal only.
    const Export* tick = findExport(exports, "fwd_tick");
    ASSERT_NE(tick, nullptr);
    EXPECT_EQ(tick->forwarder, "kernel32.GetTickCount");
    auto byOrdinal = std::ranges::find(exports, std::optional<uint32_t>(77), &Export::ordinal);
    ASSERT_NE(byOrdinal, exports.end());
    EXPECT_EQ(byOrdinal->name, "");
    EXPECT_TRUE(byOrdinal->isFunction);
    if (architecture == Architecture::x86) {
      // MinGW's decorations, without the leading underscore of the symbol; the .def file adds
      // the plain stdcall name.
      expectFunction(exports, "std_sub@8");
      expectFunction(exports, "std_sub");
      expectFunction(exports, "@fast_sub@8");
      EXPECT_EQ(findExport(exports, "fast_sub"), nullptr);
    } else {
      expectFunction(exports, "std_sub");
      expectFunction(exports, "fast_sub");
    }
#else
    expectFunction(exports, "std_sub");
    expectFunction(exports, "fast_sub");
    EXPECT_FALSE(findExport(exports, "add")->ordinal.has_value());
#endif
  }
}

TEST(Exports, ClosestNamesSuggestWhatWasMeant) {
  auto exports = listExports(test::pluginPath(Architecture::x86, "b32-library"));
  EXPECT_EQ(closestExports(exports, "hypot"), std::vector<std::string>{"hypot_d"});
  EXPECT_EQ(closestExports(exports, "CTX_NXT"), (std::vector<std::string>{"ctx_next", "ctx_new"}));
  EXPECT_EQ(closestExports(exports, "neg"), (std::vector<std::string>{"neg8", "neg16", "neg32"}));
  EXPECT_EQ(closestExports(exports, "reverse_in_place").front(), "reverse_inplace");
  EXPECT_EQ(closestExports(exports, "wstrlen", 1), std::vector<std::string>{"wstr_len"});
  EXPECT_EQ(closestExports(exports, "fire_asinc"), std::vector<std::string>{"fire_async"});
  EXPECT_EQ(closestExports(exports, "quantum_flux"), std::vector<std::string>{});
#if _WIN32
  // Decorated stdcall and fastcall names are found by their plain names.
  EXPECT_EQ(closestExports(exports, "fast_sum"), std::vector<std::string>{"@fast_sub@8"});
#else
  EXPECT_EQ(closestExports(exports, "fast_sum"), std::vector<std::string>{"fast_sub"});
#endif
  std::vector<Export> decorated(2);
  decorated[0].name = "_Compress@12";
  decorated[1].name = "compress@8";
  EXPECT_EQ(closestExports(decorated, "compres"),
            (std::vector<std::string>{"_Compress@12", "compress@8"}));
}

#if !_WIN32
std::filesystem::path firstExisting(std::initializer_list<const char*> paths) {
  for (const char* path : paths) {
    if (std::filesystem::exists(path)) return path;
  }
  return {};
}

// Debian's i386 zlib (a Wine dependency): an ELF32 file that bridge32 did not build.
TEST(Exports, SystemZlibOfTheOtherBitness) {
  auto zlib = firstExisting({"/lib/i386-linux-gnu/libz.so.1", "/usr/lib/i386-linux-gnu/libz.so.1"});
  if (zlib.empty()) GTEST_SKIP() << "no i386 zlib (apt-get install zlib1g:i386)";
  auto exports = listExports(zlib);
  for (const char* name : {"zlibVersion", "crc32", "compress"}) expectFunction(exports, name);
  EXPECT_EQ(findExport(exports, "compress")->version, "");  // zlib's first functions have none
  ASSERT_NE(findExport(exports, "compressBound"), nullptr);
  EXPECT_EQ(findExport(exports, "compressBound")->version, "ZLIB_1.2.0");
  // Its version definitions are not exports, though old linkers made symbols of them.
  EXPECT_FALSE(std::ranges::any_of(exports, [](const Export& e) {
    return e.name.starts_with("ZLIB_");
  }));
  EXPECT_EQ(closestExports(exports, "compres"),
            (std::vector<std::string>{"compress", "compress2", "compressBound"}));
}

// The C library of this (x86_64) process: versions, the same name in several, and data.
TEST(Exports, SystemLibcHasVersionsAndData) {
  auto libc =
      firstExisting({"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"});
  if (libc.empty()) GTEST_SKIP() << "no Debian x86_64 libc";
  auto exports = listExports(libc);
  std::vector<std::string> memcpyVersions;
  for (const Export& e : exports) {
    if (e.name == "memcpy") memcpyVersions.push_back(e.version);
  }
  std::ranges::sort(memcpyVersions);
  EXPECT_EQ(memcpyVersions, (std::vector<std::string>{"GLIBC_2.14", "GLIBC_2.2.5"}));
  const Export* environ = findExport(exports, "environ");
  ASSERT_NE(environ, nullptr);
  EXPECT_FALSE(environ->isFunction);
}
#else
// A system DLL of the other bitness, which forwards functions to ntdll (Windows and Wine alike).
TEST(Exports, WindowsSystemDllListsItsForwarders) {
  wchar_t directory[MAX_PATH];
  UINT length = GetSystemWow64DirectoryW(directory, MAX_PATH);
  if (length == 0 || length >= MAX_PATH) GTEST_SKIP() << "no SysWOW64 directory";
  auto exports = listExports(std::filesystem::path(directory) / L"kernel32.dll");
  expectFunction(exports, "GetTickCount");
  const Export* lock = findExport(exports, "AcquireSRWLockExclusive");
  ASSERT_NE(lock, nullptr);
  EXPECT_EQ(lock->forwarder, "NTDLL.RtlAcquireSRWLockExclusive");
  if (test::runningUnderWine()) {
    // Wine 8's kernel32 forwards some functions to kernelbase, and its first ordinals, which
    // have no names, to the 16-bit kernel.
    EXPECT_TRUE(std::ranges::any_of(exports, [](const Export& e) {
      return e.forwarder.starts_with("kernelbase.");
    }));
    auto first = std::ranges::find(exports, std::optional<uint32_t>(1), &Export::ordinal);
    ASSERT_NE(first, exports.end());
    EXPECT_EQ(first->name, "");
    EXPECT_EQ(first->forwarder, "krnl386.exe16.VxDCall0");
  }
}
#endif

// ---- damaged files ------------------------------------------------------------------------

// A module file put together byte by byte, to be damaged one field at a time.
class HandMadeModule {
 public:
  explicit HandMadeModule(size_t size) : bytes_(size, '\0') {}
  void u16(size_t at, uint16_t v) { put(at, v, 2); }
  void u32(size_t at, uint32_t v) { put(at, v, 4); }
  void u64(size_t at, uint64_t v) { put(at, v, 8); }
  void text(size_t at, std::string_view text) { bytes_.replace(at, text.size(), text); }
  void resize(size_t size) { bytes_.resize(size); }

  // The exports of these bytes written to a file.
  std::vector<Export> list(const std::string& suffix) const {
    // Named for this run: ctest runs tests of this file in parallel processes.
    auto path = std::filesystem::temp_directory_path() /
                ("bridge32-exports-test-" + std::to_string(std::random_device{}()) + suffix);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes_;
    struct Remove {
      std::filesystem::path path;
      ~Remove() { std::filesystem::remove(path); }
    } remove{path};
    return listExports(path);
  }

 private:
  void put(size_t at, uint64_t v, int size) {
    for (int i = 0; i < size; ++i) bytes_[at + i] = char(v >> (8 * i));
  }
  std::string bytes_;
};

// A PE32 DLL with an export section (.edata, RVA 0x1000, at byte 0x200) and a code section
// (.text, RVA 0x2000, at byte 0x400). It exports "alpha" (ordinal 5), "beta" (6, forwarded to
// other.gamma) and #7 by ordinal only.
struct SyntheticPe : HandMadeModule {
  static constexpr size_t kOptional = 0x58, kSections = kOptional + 224, kExports = 0x200;
  // Offsets in the file of the export directory's fields and tables.
  static constexpr size_t kBase = kExports + 16, kFunctionCount = kExports + 20,
                          kNameCount = kExports + 24, kFunctionsRva = kExports + 28,
                          kNamesRva = kExports + 32, kOrdinalsRva = kExports + 36,
                          kFunctions = kExports + 0x28, kNames = kExports + 0x34,
                          kOrdinals = kExports + 0x3c;

  SyntheticPe() : HandMadeModule(0x500) {
    text(0, "MZ");
    u32(0x3c, 0x40);
    text(0x40, std::string_view("PE\0\0", 4));
    u16(0x44, 0x14c);  // i386
    u16(0x46, 2);      // sections
    u16(0x54, 224);    // optional header size
    u16(0x56, 0x2102);  // DLL, executable, 32-bit
    u16(kOptional, 0x10b);
    u32(kOptional + 60, 0x200);  // size of headers
    u32(kOptional + 92, 16);     // data directories
    exportDirectory(0x1000, 0x100);
    section(0, ".edata", 0x1000, 0x200, 0x40000040);  // initialized data, readable
    section(1, ".text", 0x2000, 0x400, 0x60000020);   // code, executable, readable

    u32(kBase, 5);
    u32(kFunctionCount, 3);
    u32(kNameCount, 2);
    u32(kFunctionsRva, 0x1028);
    u32(kNamesRva, 0x1034);
    u32(kOrdinalsRva, 0x103c);
    u32(kFunctions, 0x2000);      // alpha
    u32(kFunctions + 4, 0x1060);  // beta: inside the export directory, a forwarder
    u32(kFunctions + 8, 0x2010);  // #7
    u32(kNames, 0x1050);
    u32(kNames + 4, 0x1058);
    u16(kOrdinals, 0);
    u16(kOrdinals + 2, 1);
    text(kExports + 0x50, std::string_view("alpha\0", 6));
    text(kExports + 0x58, std::string_view("beta\0", 5));
    text(kExports + 0x60, std::string_view("other.gamma\0", 12));
  }
  void exportDirectory(uint32_t rva, uint32_t size) {
    u32(kOptional + 96, rva);
    u32(kOptional + 100, size);
  }
  void section(int i, std::string_view name, uint32_t rva, uint32_t offset, uint32_t flags) {
    size_t at = kSections + size_t(i) * 40;
    text(at, name);
    u32(at + 8, 0x200);
    u32(at + 12, rva);
    u32(at + 16, 0x100 * uint32_t(2 - i));  // .edata 0x200 bytes, .text 0x100
    u32(at + 20, offset);
    u32(at + 36, flags);
  }
  std::vector<Export> list() const { return HandMadeModule::list(".dll"); }
};

TEST(Exports, ASyntheticPeListsNamesOrdinalsAndForwarders) {
  auto exports = SyntheticPe().list();
  ASSERT_EQ(exports.size(), 3u);
  EXPECT_EQ(exports[0].name, "alpha");
  EXPECT_EQ(exports[0].ordinal, 5u);
  EXPECT_TRUE(exports[0].isFunction);
  EXPECT_EQ(exports[1].name, "beta");
  EXPECT_EQ(exports[1].ordinal, 6u);
  EXPECT_EQ(exports[1].forwarder, "other.gamma");
  EXPECT_EQ(exports[2].name, "");
  EXPECT_EQ(exports[2].ordinal, 7u);
  EXPECT_TRUE(exports[2].isFunction);
}

// Expects listing `file` to fail with badModule, the message naming the file and `damage`.
void expectDamaged(const HandMadeModule& file, const std::string& suffix, std::string_view damage) {
  Error error = test::expectError([&] { file.list(suffix); });
  EXPECT_EQ(error.kind(), Error::Kind::badModule) << error.what();
  EXPECT_NE(error.message().find("the export table of '"), std::string::npos) << error.what();
  EXPECT_NE(error.message().find("bridge32-exports-test-"), std::string::npos) << error.what();
  EXPECT_NE(error.message().find(suffix + "' is damaged"), std::string::npos) << error.what();
  EXPECT_NE(error.message().find(damage), std::string::npos) << error.what();
}
void expectDamaged(const SyntheticPe& pe, std::string_view damage) {
  expectDamaged(pe, ".dll", damage);
}

TEST(ExportsDamaged, PeExportDirectoryCutOffByItsSection) {
  SyntheticPe pe;
  pe.exportDirectory(0x1000 + 0x200 - 20, 40);  // its last 20 bytes would be in no section
  expectDamaged(pe,
                "its export directory (40 bytes at RVA 0x11ec) runs past the end of "
                "section .edata");
}

TEST(ExportsDamaged, PeExportDirectoryOutsideEverySection) {
  SyntheticPe pe;
  pe.exportDirectory(0x7000, 40);
  expectDamaged(pe, "its export directory is at RVA 0x7000, outside every section's data");
}

TEST(ExportsDamaged, PeAbsurdCounts) {
  SyntheticPe functions;
  functions.u32(SyntheticPe::kFunctionCount, 0x7fffffff);
  expectDamaged(functions, "its export directory claims 2147483647 functions");
  SyntheticPe names;
  names.u32(SyntheticPe::kNameCount, 70000);
  expectDamaged(names, "its export directory claims 70000 names");
  // Fewer, but more than the section holds.
  SyntheticPe tooMany;
  tooMany.u32(SyntheticPe::kFunctionCount, 60000);
  expectDamaged(tooMany, "its export address table (240000 bytes at RVA 0x1028) runs past the end");
  SyntheticPe ordinals;
  ordinals.u32(SyntheticPe::kBase, 0xffffffff);
  expectDamaged(ordinals, "its ordinals (from 4294967295, 3 of them) overflow 32 bits");
}

TEST(ExportsDamaged, PeNamesPointingOutsideTheFile) {
  SyntheticPe table;
  table.u32(SyntheticPe::kNamesRva, 0x90000000);
  expectDamaged(table, "its export name table is at RVA 0x90000000, outside every section's data");
  SyntheticPe name;
  name.u32(SyntheticPe::kNames + 4, 0x12345678);
  expectDamaged(name, "its export name 1 is at RVA 0x12345678, outside every section's data");
  // In .edata's memory, but past its bytes in the file: the loader fills it with zeros.
  SyntheticPe zeros;
  zeros.section(0, ".edata", 0x1000, 0x200, 0x40000040);
  zeros.u32(SyntheticPe::kSections + 8, 0x1000);  // virtual size past the raw 0x200 bytes
  zeros.u32(SyntheticPe::kNames, 0x1400);
  expectDamaged(zeros, "its export name 0 is at RVA 0x1400, outside every section's data");
}

TEST(ExportsDamaged, PeNameWithoutItsEnd) {
  SyntheticPe pe;
  pe.text(SyntheticPe::kExports + 0x1f0, std::string(16, 'x'));  // to the end of .edata
  pe.u32(SyntheticPe::kNames + 4, 0x11f0);
  expectDamaged(pe, "its export name 1 at byte 1008 does not end within 16 bytes");
}

TEST(ExportsDamaged, PeOrdinalPastItsFunctions) {
  SyntheticPe pe;
  pe.u16(SyntheticPe::kOrdinals + 2, 9);
  expectDamaged(pe, "its export 'beta' has index 9, past its 3 functions");
}

TEST(ExportsDamaged, PeFunctionOutsideEverySection) {
  SyntheticPe pe;
  pe.u32(SyntheticPe::kFunctions + 8, 0x50000);
  expectDamaged(pe, "its export #7 is at RVA 0x50000, outside every section");
}

TEST(ExportsDamaged, PeFileCutInsideItsExportSection) {
  SyntheticPe pe;
  pe.resize(0x280);
  Error error = test::expectError([&] { pe.list(); });
  EXPECT_EQ(error.kind(), Error::Kind::badModule) << error.what();
  EXPECT_NE(error.message().find("truncated"), std::string::npos) << error.what();
}

// An ELF64 shared object with a dynamic symbol table (.dynsym, section 2, at byte 0x40) and its
// strings (.dynstr, section 3, at 0x100): "add", "_Z3addii" (functions), "counter" (data), and
// two that are not exports, "secret" (hidden) and "puts" (undefined).
struct SyntheticElf : HandMadeModule {
  static constexpr size_t kSymbols = 0x40, kStrings = 0x100, kSectionTable = 0x140;
  static constexpr std::string_view kStringTable{"\0add\0_Z3addii\0secret\0puts\0counter\0", 34};

  SyntheticElf() : HandMadeModule(kSectionTable + 4 * 64) {
    text(0, std::string_view("\x7f" "ELF\2\1\1", 7));
    u16(16, 3);    // shared object
    u16(18, 62);   // x86_64
    u32(20, 1);
    u64(40, kSectionTable);
    u16(52, 64);
    u16(58, 64);   // section header size
    u16(60, 4);    // sections
    section(1, 1, 0, 0, 0, 0);  // .text: where the symbols are defined
    section(2, 11, kSymbols, 6 * 24, 3, 24);
    section(3, 3, kStrings, kStringTable.size(), 0, 0);
    symbol(1, 1, 0x12, 0, 1);   // add: global function
    symbol(2, 5, 0x12, 0, 1);   // _Z3addii
    symbol(3, 14, 0x12, 2, 1);  // secret: hidden
    symbol(4, 21, 0x12, 0, 0);  // puts: undefined
    symbol(5, 26, 0x11, 0, 1);  // counter: global object
    text(kStrings, kStringTable);
  }
  void section(int i, uint32_t type, uint64_t offset, uint64_t size, uint32_t link,
               uint64_t entrySize) {
    size_t at = kSectionTable + size_t(i) * 64;
    u32(at + 4, type);
    u64(at + 24, offset);
    u64(at + 32, size);
    u32(at + 40, link);
    u64(at + 56, entrySize);
  }
  void symbol(int i, uint32_t name, uint8_t info, uint8_t visibility, uint16_t section) {
    size_t at = kSymbols + size_t(i) * 24;
    u32(at, name);
    text(at + 4, std::string{char(info), char(visibility)});
    u16(at + 6, section);
  }
  std::vector<Export> list() const { return HandMadeModule::list(".so"); }
};
void expectDamaged(const SyntheticElf& elf, std::string_view damage) {
  expectDamaged(elf, ".so", damage);
}

TEST(Exports, ASyntheticElfListsDefinedVisibleSymbolsAndDemanglesCxx) {
  auto exports = SyntheticElf().list();
  ASSERT_EQ(exports.size(), 3u);
  EXPECT_EQ(exports[0].name, "add");
  EXPECT_TRUE(exports[0].isFunction);
  EXPECT_EQ(exports[0].demangled, "");
  EXPECT_EQ(exports[1].name, "_Z3addii");
  EXPECT_EQ(exports[1].demangled, "add(int, int)");
  EXPECT_EQ(exports[2].name, "counter");
  EXPECT_FALSE(exports[2].isFunction);
}

TEST(ExportsDamaged, ElfSymbolTableOfAbsurdOrWrongSize) {
  SyntheticElf huge;
  huge.section(2, 11, SyntheticElf::kSymbols, uint64_t(1) << 40, 3, 24);
  expectDamaged(huge, "its dynamic symbol table claims 1099511627776 bytes");
  SyntheticElf past;
  past.section(2, 11, SyntheticElf::kSymbols, 0x10000 * 24, 3, 24);
  expectDamaged(past,
                "its dynamic symbol table (1572864 bytes at byte 64) ends past the end of "
                "the file");
  SyntheticElf entries;
  entries.section(2, 11, SyntheticElf::kSymbols, 6 * 24, 3, 20);
  expectDamaged(entries, "its dynamic symbols are 20 bytes each, not 24");
}

TEST(ExportsDamaged, ElfNamesOutsideTheirStringTable) {
  SyntheticElf name;
  name.u32(SyntheticElf::kSymbols + 24, 0x5000);
  expectDamaged(name,
                "the name of its dynamic symbol 1 is at 20480, past its string table (34 bytes)");
  SyntheticElf unterminated;  // the table loses its last NUL: "counter" runs off its end
  unterminated.section(3, 3, SyntheticElf::kStrings, SyntheticElf::kStringTable.size() - 1, 0, 0);
  expectDamaged(unterminated,
                "the name of its dynamic symbol 5 runs past the end of its string table");
  SyntheticElf link;
  link.section(2, 11, SyntheticElf::kSymbols, 6 * 24, 9, 24);
  expectDamaged(link, "its dynamic symbol table's string table (section 9) is missing");
}

// The fixture library with one byte changed, at many places and to several values: each copy
// lists its exports or is refused, as badModule (or unsupported: an ELF section table count of
// 0), and nothing reads out of bounds or allocates what a count claims.
TEST(ExportsDamaged, AnyByteOfARealModuleChanged) {
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
    SCOPED_TRACE(std::string(toString(architecture)));
    std::ifstream in(test::pluginPath(architecture, "b32-library"), std::ios::binary);
    std::string original((std::istreambuf_iterator<char>(in)), {});
    auto path = std::filesystem::temp_directory_path() /
                ("bridge32-exports-changed-" + std::to_string(std::random_device{}()) +
                 test::moduleSuffix());
    size_t refused = 0, tried = 0;
    for (size_t at = 0; at < original.size(); at += 1 + original.size() / 150) {
      for (char value : {'\x00', '\xff'}) {
        std::string bytes = original;
        bytes[at] = value;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        ++tried;
        try {
          listExports(path);
        } catch (const Error& error) {
          ++refused;
          EXPECT_TRUE(error.kind() == Error::Kind::badModule ||
                      error.kind() == Error::Kind::unsupported)
              << "byte " << at << ": " << error.what();
        }
      }
    }
    std::filesystem::remove(path);
    EXPECT_GT(refused, 0u);
    EXPECT_LT(refused, tried);  // most bytes are code and data, not tables
  }
}

TEST(Exports, AnElfFileWithoutSectionTableIsUnsupported) {
  SyntheticElf elf;
  elf.u64(40, 0);
  elf.u16(60, 0);
  Error error = test::expectError([&] { elf.list(); });
  EXPECT_EQ(error.kind(), Error::Kind::unsupported) << error.what();
  EXPECT_NE(error.message().find("has no section table"), std::string::npos) << error.what();
}

TEST(Exports, AMissingFileIsNotFound) {
  Error error = test::expectError([] { listExports(test::outputDir() / "no-such-library.so"); });
  EXPECT_EQ(error.kind(), Error::Kind::notFound) << error.what();
}

}  // namespace
}  // namespace bridge32
