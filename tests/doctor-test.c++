// Dependencies read from module files and found as the surrogate's loader finds them, and
// `bridge32 doctor`, which says why a module will or will not load: on the fixtures (a library
// missing two levels down, one that loads), on real libraries of the system, and on damaged files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <iterator>
#include <string>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/module-file.h"
#include "bridge32/surrogate.h"
#include "module-dependencies.h"
#include "support.h"

namespace bridge32 {
namespace {


std::string file(const std::string& name) { return name + test::moduleSuffix(); }

std::filesystem::path elsewhere(Architecture architecture) {
  return test::outputDir() / "elsewhere" / std::string(toString(architecture));
}

bool says(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

std::string printed(const test::Ran& ran) {
  std::string text = ran.out;
  std::erase(text, '\r');
  return text;
}

std::string lowerCase(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

// Every module of `report`'s tree, depth first.
void forEach(const std::vector<ResolvedDependency>& dependencies,
             const std::function<void(const ResolvedDependency&, size_t depth)>& visit,
             size_t depth = 1) {
  for (const auto& dependency : dependencies) {
    visit(dependency, depth);
    forEach(dependency.dependencies, visit, depth + 1);
  }
}

const ResolvedDependency* named(const std::vector<ResolvedDependency>& dependencies,
                                const std::string& name) {
  auto found = std::ranges::find_if(dependencies, [&](const ResolvedDependency& d) {
    return lowerCase(d.name) == lowerCase(name);
  });
  return found == dependencies.end() ? nullptr : &*found;
}

LoaderSearch surrogateSearch(Architecture architecture) {
  return LoaderSearch::forProcess(nativeModuleFormat(), architecture,
                                  test::surrogatePath(architecture));
}

const Architecture kBoth[] = {Architecture::x86, Architecture::x64};

// A PE32 DLL made byte by byte: one section (.idata, RVA 0x1000, at byte 0x200) holding an
// import directory (KERNEL32.dll, an API set) and a delay-load directory (b32-delayed.dll).
class SyntheticImports {
 public:
  static constexpr uint32_t kImageBase = 0x10000000, kDelayName = 0x11e0;
  static constexpr size_t kOptional = 0x58, kDelay = 0x300;

  SyntheticImports() : bytes_(0x400, '\0') {
    text(0, "MZ");
    u32(0x3c, 0x40);
    text(0x40, std::string("PE\0\0", 4));
    u16(0x44, 0x14c);           // i386
    u16(0x46, 1);               // one section
    u16(0x54, 224);             // the optional header's size
    u16(0x56, 0x2102);          // a DLL
    u16(kOptional, 0x10b);      // PE32
    u32(kOptional + 28, kImageBase);
    u32(kOptional + 60, 0x200);  // the headers' size
    u32(kOptional + 92, 16);     // data directories
    u32(kOptional + 96 + 1 * 8, 0x1000);  // imports
    u32(kOptional + 96 + 1 * 8 + 4, 60);
    u32(kOptional + 96 + 13 * 8, 0x1100);  // delay-load imports
    u32(kOptional + 96 + 13 * 8 + 4, 64);
    size_t section = kOptional + 224;
    text(section, ".idata");
    u32(section + 8, 0x200);
    u32(section + 12, 0x1000);
    u32(section + 16, 0x200);
    u32(section + 20, 0x200);
    u32(section + 36, 0xc0000040);
    importing(0, 0x1180, "KERNEL32.dll");
    importing(1, 0x11a0, "api-ms-win-crt-runtime-l1-1-0.dll");
    u32(kDelay, 1);  // its addresses are RVAs
    u32(kDelay + 4, kDelayName);
    text(0x200 + kDelayName - 0x1000, "b32-delayed.dll");
  }

  void u16(size_t at, uint16_t v) { put(at, v, 2); }
  void u32(size_t at, uint32_t v) { put(at, v, 4); }
  void text(size_t at, std::string_view text) { bytes_.replace(at, text.size(), text); }

  std::filesystem::path write(const std::filesystem::path& path) const {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes_;
    return path;
  }

 private:
  void importing(size_t index, uint32_t nameRva, std::string_view name) {
    size_t descriptor = 0x200 + index * 20;
    u32(descriptor + 12, nameRva);
    u32(descriptor + 16, 0x11c8);  // its address table (not read)
    text(0x200 + nameRva - 0x1000, name);
  }
  void put(size_t at, uint32_t v, int size) {
    for (int i = 0; i < size; ++i) bytes_[at + size_t(i)] = char(v >> (8 * i));
  }
  std::string bytes_;
};

// A scratch directory of this process's own, removed after the test.
struct ScratchDirectory {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("bridge32-doctor-" + std::to_string(std::random_device{}()));
  ScratchDirectory() { std::filesystem::create_directories(path); }
  ~ScratchDirectory() { std::filesystem::remove_all(path); }
};

TEST(DoctorDependencies, ImportAndDelayLoadTablesAreRead) {
  ScratchDirectory scratch;
  SyntheticImports pe;
  auto needs = readDependencies(pe.write(scratch.path / "module.dll"));
  EXPECT_EQ(needs.needed,
            (std::vector<std::string>{"KERNEL32.dll", "api-ms-win-crt-runtime-l1-1-0.dll"}));
  EXPECT_EQ(needs.delayLoaded, std::vector<std::string>{"b32-delayed.dll"});
  // Old linkers' delay-load descriptors hold addresses, not RVAs.
  pe.u32(SyntheticImports::kDelay, 0);
  pe.u32(SyntheticImports::kDelay + 4, SyntheticImports::kImageBase + SyntheticImports::kDelayName);
  needs = readDependencies(pe.write(scratch.path / "module.dll"));
  EXPECT_EQ(needs.delayLoaded, std::vector<std::string>{"b32-delayed.dll"});
}

TEST(DoctorDependencies, AnImportTableOutsideTheFileIsDamageNamingTheFile) {
  ScratchDirectory scratch;
  SyntheticImports pe;
  pe.u32(SyntheticImports::kOptional + 96 + 8, 0x5000);
  auto path = pe.write(scratch.path / "damaged.dll");
  try {
    readDependencies(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::badModule);
    EXPECT_EQ(error.message(), "the import table of '" + utf8(path) +
                                   "' is damaged: its import descriptor 0 is at RVA 0x5000, "
                                   "outside every section's data in the file");
  }
}

// The resolution of a PE module, on any system: API sets are the system's, names match without
// regard to case, a module needing itself is followed once, and a missing delay-loaded DLL
// leaves the module loadable.
TEST(DoctorDependencies, ApiSetsCaseAndDelayLoadedModulesAreResolvedAsWindowsDoes) {
  ScratchDirectory scratch;
  auto system = scratch.path / "syswow64", plugins = scratch.path / "plugins";
  std::filesystem::create_directories(system);
  std::filesystem::create_directories(plugins);
  SyntheticImports pe;
  auto module = pe.write(plugins / "module.dll");
  pe.write(system / "kernel32.dll");
  LoaderSearch search;
  search.format = ModuleFormat::pe;
  search.architecture = Architecture::x86;
  search.systemDirectories = {system};
  auto report = resolveDependencies(module, search);
  EXPECT_TRUE(report.loads());
  ASSERT_EQ(report.dependencies.size(), 3u);
  EXPECT_EQ(report.dependencies[0].source, DependencySource::system);
  // As the import spells it (Windows) or as the directory does (a prefix read from Linux).
  EXPECT_EQ(lowerCase(utf8(report.dependencies[0].path)), lowerCase(utf8(system / "kernel32.dll")));
  EXPECT_EQ(report.dependencies[1].source, DependencySource::apiSet);
  EXPECT_TRUE(report.dependencies[2].delayLoaded);
  EXPECT_EQ(report.dependencies[2].source, DependencySource::missing);
  // Missing below the module, and below kernel32.dll (which needs it delay-loaded too).
  std::vector<std::vector<std::string>> chains;
  for (const auto& failure : report.delayedFailures) chains.push_back(failure.chain);
  EXPECT_EQ(chains, (std::vector<std::vector<std::string>>{
                        {"module.dll", "KERNEL32.dll", "b32-delayed.dll"},
                        {"module.dll", "b32-delayed.dll"}}));
  // kernel32.dll's own import of KERNEL32.dll is itself, already listed.
  const ResolvedDependency* self = named(report.dependencies[0].dependencies, "kernel32.dll");
  ASSERT_TRUE(self);
  EXPECT_TRUE(self->listedAbove);
  // A DLL beside the module comes before the system's, and one for x64 stops the loader.
  pe.u16(0x44, 0x8664);
  pe.write(plugins / "Kernel32.DLL");
  report = resolveDependencies(module, search);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_TRUE(says(report.failures[0].why, "is for x64")) << report.failures[0].why;
}

TEST(DoctorDependencies, TheChainFixturesAreWhatTheyClaimToBe) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    auto a = test::pluginPath(architecture, "b32-chain-a");
    auto b = test::pluginPath(architecture, "b32-chain-b");
    auto c = elsewhere(architecture) / file("b32-chain-c");
    for (const auto& path : {a, b, c}) {
      EXPECT_EQ(inspectModuleFile(path).architecture, architecture) << utf8(path);
    }
    EXPECT_FALSE(std::filesystem::exists(a.parent_path() / file("b32-chain-c")));
    auto needsA = readDependencies(a), needsB = readDependencies(b);
    EXPECT_NE(std::ranges::find(needsA.needed, file("b32-chain-b")), needsA.needed.end());
    EXPECT_NE(std::ranges::find(needsB.needed, file("b32-chain-c")), needsB.needed.end());
#if !_WIN32
    EXPECT_EQ(needsA.runpath, std::vector<std::string>{"$ORIGIN"});
    EXPECT_EQ(needsB.soname, file("b32-chain-b"));
#else
    EXPECT_TRUE(needsA.delayLoaded.empty());
#endif
  }
}

TEST(DoctorDependencies, AModuleMissingTwoLevelsDownIsNamedWithItsChain) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    auto a = test::pluginPath(architecture, "b32-chain-a");
    auto report = resolveDependencies(a, surrogateSearch(architecture));
    EXPECT_FALSE(report.loads());
    ASSERT_EQ(report.failures.size(), 1u);
    const LoadFailure& failure = report.failures[0];
    EXPECT_EQ(failure.chain, (std::vector<std::string>{file("b32-chain-a"), file("b32-chain-b"),
                                                        file("b32-chain-c")}));
    EXPECT_EQ(failure.why, "is missing");
    EXPECT_NE(std::ranges::find(failure.searched, a.parent_path()), failure.searched.end())
        << "it was looked for beside the module";

    const ResolvedDependency* b = named(report.dependencies, file("b32-chain-b"));
    ASSERT_TRUE(b);
    EXPECT_EQ(std::filesystem::canonical(b->path), std::filesystem::canonical(
                                                       test::pluginPath(architecture, "b32-chain-b")));
#if _WIN32
    EXPECT_EQ(b->source, DependencySource::besideModule);
#else
    EXPECT_EQ(b->source, DependencySource::runpath);
#endif
    const ResolvedDependency* c = named(b->dependencies, file("b32-chain-c"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->source, DependencySource::missing);
    EXPECT_TRUE(c->path.empty());
  }
}

// The public API (bridge32_module_dependencies, findModuleDependencies) hands out the tree and
// the failures the resolver makes, whole: each dependency under the one that needs it.
void expectSameTree(const std::vector<ModuleDependency>& given,
                    const std::vector<ResolvedDependency>& made) {
  ASSERT_EQ(given.size(), made.size());
  for (size_t i = 0; i < made.size(); ++i) {
    SCOPED_TRACE(made[i].name);
    EXPECT_EQ(given[i].name, made[i].name);
    EXPECT_EQ(given[i].path, made[i].path);
    EXPECT_EQ(int(given[i].found), int(made[i].source));
    EXPECT_EQ(toString(given[i].found), toString(made[i].source));
    EXPECT_EQ(given[i].delayLoaded, made[i].delayLoaded);
    EXPECT_EQ(given[i].listedAbove, made[i].listedAbove);
    EXPECT_EQ(given[i].problem, made[i].problem);
    expectSameTree(given[i].dependencies, made[i].dependencies);
  }
}

TEST(DoctorDependencies, ThePublicApiGivesTheTreeAndTheFailuresWhole) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    auto a = test::pluginPath(architecture, "b32-chain-a");
    LoadOptions options;
    options.surrogateDirectory = test::surrogatePath(architecture).parent_path();
    ModuleDependencyReport given = findModuleDependencies(a, options);
    DependencyReport made = resolveDependencies(a, surrogateSearch(architecture));
    ASSERT_FALSE(made.failures.empty());
    expectSameTree(given.dependencies, made.dependencies);
    ASSERT_EQ(given.failures.size(), made.failures.size());
    for (size_t i = 0; i < made.failures.size(); ++i) {
      EXPECT_EQ(given.failures[i].chain, made.failures[i].chain);
      EXPECT_EQ(given.failures[i].why, made.failures[i].why);
      EXPECT_EQ(given.failures[i].searched, made.failures[i].searched);
    }
    EXPECT_EQ(given.delayedFailures.size(), made.delayedFailures.size());
  }
  auto kindOfFailure = [](const std::filesystem::path& path) {
    try {
      findModuleDependencies(path);
    } catch (const Error& error) {
      EXPECT_TRUE(says(error.message(), utf8(path.filename()))) << error.message();
      return error.kind();
    }
    return Error::Kind::failed;  // no error: not what either case expects
  };
  ScratchDirectory scratch;
  EXPECT_EQ(kindOfFailure(scratch.path / "no-such-module.dll"), Error::Kind::notFound);
#if !_WIN32
  SyntheticImports pe;
  EXPECT_EQ(kindOfFailure(pe.write(scratch.path / "foreign.dll")), Error::Kind::unsupported);
#endif
}

TEST(DoctorDependencies, TheSameChainLoadsOnceTheMissingModuleIsOnTheSearchPath) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    auto search = surrogateSearch(architecture);
#if _WIN32
    search.systemDirectories.push_back(elsewhere(architecture));
    auto expected = DependencySource::system;
#else
    search.libraryPath.push_back(elsewhere(architecture));
    auto expected = DependencySource::libraryPath;
#endif
    auto report = resolveDependencies(test::pluginPath(architecture, "b32-chain-a"), search);
    EXPECT_TRUE(report.loads());
    const ResolvedDependency* b = named(report.dependencies, file("b32-chain-b"));
    ASSERT_TRUE(b);
    const ResolvedDependency* c = named(b->dependencies, file("b32-chain-c"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->source, expected);
    EXPECT_EQ(inspectModuleFile(c->path).architecture, architecture);
  }
}

TEST(DoctorDependencies, AModuleOfTheOtherBitnessIsNotTaken) {
  auto search = surrogateSearch(Architecture::x86);
#if _WIN32
  // The Windows loader stops at the first DLL of the name, and cannot use one for x64.
  search.systemDirectories.insert(search.systemDirectories.begin(), elsewhere(Architecture::x64));
  auto report = resolveDependencies(test::pluginPath(Architecture::x86, "b32-chain-a"), search);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_TRUE(says(report.failures[0].why, "is for x64, not x86")) << report.failures[0].why;
#else
  // ld.so passes over a library of the other class, and takes the next one that fits.
  search.libraryPath = {elsewhere(Architecture::x64)};
  auto report = resolveDependencies(test::pluginPath(Architecture::x86, "b32-chain-a"), search);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].why, "is missing");
  search.libraryPath.push_back(elsewhere(Architecture::x86));
  report = resolveDependencies(test::pluginPath(Architecture::x86, "b32-chain-a"), search);
  EXPECT_TRUE(report.loads());
#endif
}

TEST(DoctorDependencies, TheLibraryFixtureLoadsWithEverythingItNeedsFound) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    auto report = resolveDependencies(test::pluginPath(architecture, "b32-library"),
                                      surrogateSearch(architecture));
    EXPECT_TRUE(report.loads());
    EXPECT_FALSE(report.dependencies.empty());
    size_t found = 0;
    forEach(report.dependencies, [&](const ResolvedDependency& d, size_t) {
      if (d.source == DependencySource::apiSet) return;
      EXPECT_FALSE(d.path.empty()) << d.name;
      if (d.path.empty()) return;
      ++found;
      EXPECT_EQ(inspectModuleFile(d.path).architecture, architecture) << utf8(d.path);
    });
    EXPECT_GT(found, 0u);
  }
}

#if !_WIN32
// A real i386 library of the system that needs others, which need others in turn: FreeType
// needs libpng16, which needs zlib (Debian's libfreetype6:i386, which scripts/setup.sh installs).
TEST(DoctorDependencies, ARealI386LibraryIsResolvedThroughTheI386LibraryDirectories) {
  std::filesystem::path freetype = "/usr/lib/i386-linux-gnu/libfreetype.so.6";
  ASSERT_TRUE(std::filesystem::exists(freetype)) << "install libfreetype6:i386 (scripts/setup.sh)";
  ASSERT_EQ(inspectModuleFile(freetype).architecture, Architecture::x86);
  auto report = resolveDependencies(freetype, surrogateSearch(Architecture::x86));
  EXPECT_TRUE(report.loads());
  const ResolvedDependency* png = named(report.dependencies, "libpng16.so.16");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->source, DependencySource::system);
  EXPECT_TRUE(says(utf8(png->path), "i386-linux-gnu")) << utf8(png->path);
  const ResolvedDependency* zlib = named(png->dependencies, "libz.so.1");
  ASSERT_TRUE(zlib) << "libpng16 needs zlib";
  size_t modules = 0, deepest = 0;
  forEach(report.dependencies, [&](const ResolvedDependency& d, size_t depth) {
    ++modules;
    deepest = std::max(deepest, depth);
    EXPECT_FALSE(d.path.empty()) << d.name;
    if (!d.path.empty()) {
      EXPECT_EQ(inspectModuleFile(d.path).architecture, Architecture::x86) << utf8(d.path);
    }
  });
  EXPECT_GE(modules, 5u);
  EXPECT_GE(deepest, 2u);
  // The C library is the surrogate's own: already loaded when the module is.
  const ResolvedDependency* libc = named(report.dependencies, "libc.so.6");
  ASSERT_TRUE(libc);
  EXPECT_EQ(libc->source, DependencySource::loaded);
}

#endif

#if _WIN32
// A real 32-bit DLL of the system (Wine's, under Wine) that imports from other system DLLs,
// found where a 32-bit process finds them: SysWOW64, seen from this 64-bit process.
TEST(DoctorDependencies, ASystemDllOfAThirtyTwoBitProcessIsResolvedThroughSysWow64) {
  auto search = surrogateSearch(Architecture::x86);
  ASSERT_FALSE(search.systemDirectories.empty());
  EXPECT_EQ(lowerCase(utf8(search.systemDirectories.front().filename())), "syswow64");
  auto shlwapi = search.systemDirectories.front() / "shlwapi.dll";
  ASSERT_EQ(inspectModuleFile(shlwapi).architecture, Architecture::x86);
  for (const auto& directory : search.systemDirectories) {
    EXPECT_NE(lowerCase(utf8(directory.filename())), "system32")
        << "a 32-bit process is given SysWOW64 for System32 (on PATH too)";
  }
  auto report = resolveDependencies(shlwapi, search);
  EXPECT_TRUE(report.loads());
  ASSERT_FALSE(report.dependencies.empty());
  forEach(report.dependencies, [&](const ResolvedDependency& d, size_t) {
    if (d.path.empty()) return;
    EXPECT_EQ(inspectModuleFile(d.path).architecture, Architecture::x86) << utf8(d.path);
  });
  // And the fixture's imports (kernel32, user32, the C runtime) from there too.
  auto fixture = resolveDependencies(test::pluginPath(Architecture::x86, "b32-library"), search);
  EXPECT_TRUE(fixture.loads());
  const ResolvedDependency* user32 = named(fixture.dependencies, "user32.dll");
  ASSERT_TRUE(user32);
  EXPECT_EQ(lowerCase(utf8(user32->path.parent_path().filename())), "syswow64");
  // The 64-bit fixture's come from System32.
  auto x64 = resolveDependencies(test::pluginPath(Architecture::x64, "b32-library"),
                                 surrogateSearch(Architecture::x64));
  user32 = named(x64.dependencies, "user32.dll");
  ASSERT_TRUE(user32);
  EXPECT_EQ(lowerCase(utf8(user32->path.parent_path().filename())), "system32");
}
#endif

// Any prefix of a real module, and the module with any byte range overwritten, as a damaged copy
// would be: an Error naming the file, or what could be read, and never a crash or a read past
// the end.
TEST(DoctorDependencies, ADamagedFileIsAnErrorNamingItNeverACrash) {
  for (Architecture architecture : kBoth) {
    auto path = test::pluginPath(architecture, "b32-chain-a");
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    auto damaged = std::filesystem::temp_directory_path() /
                   ("bridge32-doctor-damaged-" + std::to_string(std::random_device{}()) +
                    test::moduleSuffix());
    auto check = [&](const std::string& content) {
      std::ofstream(damaged, std::ios::binary | std::ios::trunc)
          .write(content.data(), std::streamsize(content.size()));
      try {
        auto needs = readDependencies(damaged);
        EXPECT_LE(needs.needed.size(), 64u);
      } catch (const Error& error) {
        EXPECT_TRUE(says(error.message(), utf8(damaged))) << error.message();
      }
    };
    for (size_t size = 0; size < bytes.size(); size += 211) check(bytes.substr(0, size));
    // Every field of the headers and of the tables after them, on a 4-byte grid.
    for (size_t at = 0; at + 8 < bytes.size() && at < 8192; at += 12) {
      std::string copy = bytes;
      std::fill_n(copy.begin() + std::ptrdiff_t(at), 8, '\xff');
      check(copy);
    }
    std::filesystem::remove(damaged);
  }
}

// A chain of 200 modules, each needing the next, made from b32-chain-b (which needs b32-chain-c
// beside it) by renaming what it is and what it needs to names of the same length: link 100 is
// missing. The walk follows the chain to its end, whatever its depth, and the verdict says so.
TEST(DoctorTool, FollowsAChainOfAnyDepthToTheModuleThatIsMissing) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    std::ifstream in(test::pluginPath(architecture, "b32-chain-b"), std::ios::binary);
    const std::string original((std::istreambuf_iterator<char>(in)), {});
    const std::string self = file("b32-chain-b"), next = file("b32-chain-c");
    auto link = [&](int n) {  // as long as "b32-chain-b.so": "link-007-x.so" is one shorter
      char name[32];
      std::snprintf(name, sizeof name, "chain-%03d-x", n);
      return file(name);
    };
    ASSERT_EQ(link(0).size(), self.size());
    auto directory = std::filesystem::temp_directory_path() /
                     ("bridge32-doctor-chain-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(directory);
    for (int n = 0; n < 200; ++n) {
      if (n == 100) continue;
      std::string bytes = original;
      for (auto [from, to] : {std::pair{self, link(n)}, std::pair{next, link(n + 1)}}) {
        for (size_t at = 0; (at = bytes.find(from, at)) != std::string::npos; at += to.size()) {
          bytes.replace(at, from.size(), to);
        }
      }
      std::ofstream(directory / link(n), std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    }
    auto report = resolveDependencies(directory / link(0), surrogateSearch(architecture));
    EXPECT_FALSE(report.loads());
    ASSERT_EQ(report.failures.size(), 1u);
    EXPECT_EQ(report.failures[0].chain.size(), 101u);
    EXPECT_EQ(report.failures[0].chain.back(), link(100));
    EXPECT_EQ(report.failures[0].why, "is missing");

    auto ran = test::runProgram(test::toolPath(), {"doctor", utf8(directory / link(0))});
    std::string out = printed(ran);
    EXPECT_EQ(ran.exitCode, 1) << out << ran.err;
    EXPECT_TRUE(says(out, "cannot load: " + link(100) + " is missing")) << out;
    EXPECT_TRUE(says(out, "verdict: it cannot load")) << out;
    std::filesystem::remove_all(directory);
  }
}

#if !_WIN32
// A PE32 DLL under Linux: one problem, said once, and no advice about dependencies nothing here
// would load.
TEST(DoctorTool, AWindowsDllUnderLinuxIsSaidOnceWithoutAdvice) {
  ScratchDirectory scratch;
  SyntheticImports pe;
  auto foreign = pe.write(scratch.path / "foreign.dll");
  auto ran = test::runProgram(test::toolPath(), {"doctor", utf8(foreign)});
  std::string out = printed(ran);
  EXPECT_EQ(ran.exitCode, 1) << out << ran.err;
  EXPECT_TRUE(says(out, "loads: not on this system")) << out;
  size_t problems = 0;
  for (size_t at = 0; (at = out.find("cannot load:", at)) != std::string::npos; ++at) ++problems;
  EXPECT_EQ(problems, 1u) << out;
  EXPECT_TRUE(says(out, "it is a Windows DLL")) << out;
  EXPECT_FALSE(says(out, "put ")) << out;
  EXPECT_FALSE(says(out, "surrogate")) << out;
  EXPECT_TRUE(says(out, "verdict: it cannot load")) << out;
}
#endif

TEST(DoctorTool, NamesTheMissingModuleAndTheChainThatNeedsItAndFails) {
  for (Architecture architecture : kBoth) {
    SCOPED_TRACE(toString(architecture));
    auto ran = test::runProgram(test::toolPath(), {"doctor", utf8(test::pluginPath(architecture, "b32-chain-a"))});
    std::string out = printed(ran);
    EXPECT_EQ(ran.exitCode, 1) << out << ran.err;
    EXPECT_TRUE(says(out, "cannot load: " + file("b32-chain-c") + " is missing")) << out;
    EXPECT_TRUE(says(out, "needed by: " + file("b32-chain-a") + " -> " + file("b32-chain-b") +
                              " -> " + file("b32-chain-c")))
        << out;
    EXPECT_TRUE(says(out, architecture == Architecture::x86 ? "(x86)" : "(x64)")) << out;
    EXPECT_TRUE(says(out, "verdict: it cannot load")) << out;
  }
}

TEST(DoctorTool, SaysAModuleThatLoadsLoadsAndWhatKindItIs) {
  auto ran = test::runProgram(test::toolPath(), {"doctor", utf8(test::pluginPath(Architecture::x86, "b32-samples"))});
  std::string out = printed(ran);
  EXPECT_EQ(ran.exitCode, 0) << out << ran.err;
#if _WIN32
  EXPECT_TRUE(says(out, "format: PE32 DLL (x86)")) << out;
#else
  EXPECT_TRUE(says(out, "format: ELF32 shared object (x86)")) << out;
#endif
  EXPECT_TRUE(says(out, "bridge32 SDK module (bridge32_entry)")) << out;
  EXPECT_TRUE(says(out, "in the x86 surrogate")) << out;
  EXPECT_TRUE(says(out, "verdict: it loads")) << out;
  EXPECT_FALSE(says(out, "MISSING")) << out;

  ran = test::runProgram(test::toolPath(), {"doctor", utf8(test::pluginPath(Architecture::x64, "b32-library"))});
  out = printed(ran);
  EXPECT_EQ(ran.exitCode, 0) << out << ran.err;
  EXPECT_TRUE(says(out, "plain exports: ")) << out;
  EXPECT_FALSE(says(out, "bridge32 SDK")) << out;
}

TEST(DoctorTool, JsonForScripts) {
  auto ran = test::runProgram(
      test::toolPath(), {"doctor", utf8(test::pluginPath(Architecture::x86, "b32-chain-a")), "--json"});
  std::string out = printed(ran);
  EXPECT_EQ(ran.exitCode, 1) << out << ran.err;
  EXPECT_TRUE(out.starts_with("{\"file\":")) << out;
  EXPECT_TRUE(says(out, "\"architecture\":\"x86\",\"bits\":32")) << out;
  EXPECT_TRUE(says(out, "\"loads\":false")) << out;
  EXPECT_TRUE(says(out, "\"module\":\"" + file("b32-chain-c") + "\",\"chain\":[\"" +
                            file("b32-chain-a") + "\",\"" + file("b32-chain-b") + "\",\"" +
                            file("b32-chain-c") + "\"]"))
      << out;

  ran = test::runProgram(
      test::toolPath(), {"doctor", utf8(test::pluginPath(Architecture::x86, "b32-samples")), "--json"});
  out = printed(ran);
  EXPECT_EQ(ran.exitCode, 0) << out << ran.err;
  EXPECT_TRUE(says(out, "\"kinds\":[\"bridge32\",\"exports\"]")) << out;
  EXPECT_TRUE(says(out, "\"loads\":true,\"problems\":[]")) << out;
}

TEST(DoctorTool, AFileThatIsNoModuleIsAnErrorNamingIt) {
  auto path = std::filesystem::temp_directory_path() /
              ("bridge32-doctor-text-" + std::to_string(std::random_device{}()) +
               test::moduleSuffix());
  std::ofstream(path) << "just text";
  auto ran = test::runProgram(test::toolPath(), {"doctor", utf8(path)});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "'" + utf8(path) + "' is not a module")) << ran.err;
  ran = test::runProgram(test::toolPath(), {"doctor", utf8(path), "--json"});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(printed(ran), "\"loads\":false")) << ran.out;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace bridge32
