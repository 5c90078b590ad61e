// Modules that cannot load, each with its own clear error naming the module and what is wrong,
// in-process and in genuine 32-bit and 64-bit surrogates; the host carries on.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "bridge32/host.h"
#include "harness.h"
#include "module-file.h"

namespace bridge32 {
namespace {

using test::expectError;
using test::optionsFor;

bool contains(const Error& error, std::string_view text) {
  return error.message().find(text) != std::string::npos;
}

// Loading the fixture module `fixture` placed as `where` fails with `kind`, naming the module's
// path and saying `why`.
void expectLoadError(const test::Placement& where, const char* fixture, Error::Kind kind,
                     std::string_view why) {
  auto path = test::pluginPath(where.architecture, fixture);
  Error error = expectError([&] { PluginModule::load(path, optionsFor(where)); });
  EXPECT_EQ(error.kind(), kind) << where.name << ": " << error.message();
  EXPECT_TRUE(contains(error, utf8(path))) << where.name << ": " << error.message();
  EXPECT_TRUE(contains(error, why)) << where.name << ": " << error.message();
}

// Descriptions past bridge32's limits are refused by the limit, in words, where Cap'n Proto used
// to refuse the message that carried them.
TEST(LoadErrors, AModuleListingAMillionPluginsIsRefusedByTheLimit) {
  for (const auto& where : {test::kInProcess64, test::kSurrogate64}) {
    expectLoadError(where, "b32-huge-module", Error::Kind::badModule,
                    "lists 1000000 plugins; bridge32 takes at most 4096");
  }
}

TEST(LoadErrors, APluginWithAMillionParametersIsRefusedByTheLimit) {
  for (const auto& where : {test::kInProcess64, test::kSurrogate64}) {
    auto module = PluginModule::load(test::pluginPath(where.architecture, "b32-huge-plugin"),
                                     optionsFor(where));
    HostCallbacks quiet;
    Error error = expectError([&] { module->createInstance("com.bridge32.fixtures.huge", quiet); });
    EXPECT_EQ(error.kind(), Error::Kind::badModule) << where.name << ": " << error.message();
    EXPECT_TRUE(contains(error, "has 1000000 parameters; bridge32 takes at most 65536"))
        << where.name << ": " << error.message();
  }
}

TEST(LoadErrors, DescriptionsPastTheLimitsAreRefusedByTheLimits32) {
  expectLoadError(test::kSurrogate32, "b32-huge-module", Error::Kind::badModule,
                  "lists 1000000 plugins; bridge32 takes at most 4096");
  auto module = PluginModule::load(test::pluginPath(Architecture::x86, "b32-huge-plugin"),
                                   optionsFor(test::kSurrogate32));
  HostCallbacks quiet;
  Error error = expectError([&] { module->createInstance("com.bridge32.fixtures.huge", quiet); });
  EXPECT_EQ(error.kind(), Error::Kind::badModule) << error.message();
  EXPECT_TRUE(contains(error, "has 1000000 parameters; bridge32 takes at most 65536")) << error.message();
  EXPECT_TRUE(test::sharedX86()->isRunning());
}

#if _WIN32
constexpr const char* kGoneNamed = "it needs b32-gone.dll";
#else
constexpr const char* kGoneNamed = "b32-gone.so";
#endif

TEST(LoadErrors, AMissingDependencyIsNamed) {
  for (const auto& where : {test::kInProcess64, test::kSurrogate64}) {
    expectLoadError(where, "b32-needs-gone", Error::Kind::badModule, kGoneNamed);
  }
}

TEST(LoadErrors, AMissingDependencyIsNamed32) {
  expectLoadError(test::kSurrogate32, "b32-needs-gone", Error::Kind::badModule, kGoneNamed);
  EXPECT_TRUE(test::sharedX86()->isRunning()) << "a refused module does not hurt the surrogate";
  HostCallbacks callbacks;
  auto samples = test::loadSamples(test::kSurrogate32);
  EXPECT_EQ(samples->createInstance("com.bridge32.samples.gain", callbacks)->param(1), 1.0);
}

// An exception that leaves init() is caught where the plugin's runtime can unwind into the
// loader's frames. (MinGW's 32-bit DWARF unwinding cannot cross into another module's copy of
// the runtime: there the plugin's terminate() ends the surrogate, which the crash tests cover.)
TEST(LoadErrors, AnEntryPointThatThrows) {
  constexpr const char* kThrew = "init() threw \"the licence server is unreachable\"";
  expectLoadError(test::kSurrogate64, "b32-entry-throws", Error::Kind::badModule, kThrew);
#if !_WIN32
  expectLoadError(test::kInProcess64, "b32-entry-throws", Error::Kind::badModule, kThrew);
  expectLoadError(test::kSurrogate32, "b32-entry-throws", Error::Kind::badModule, kThrew);
#endif
}

constexpr const char* kInitFailed = "failed to initialize: init() returned";

TEST(LoadErrors, AnEntryPointThatReturnsFailure) {
  for (const auto& where : {test::kInProcess64, test::kSurrogate64}) {
    expectLoadError(where, "b32-init-fails", Error::Kind::failed, kInitFailed);
  }
}

TEST(LoadErrors, AnEntryPointThatReturnsFailure32) {
  expectLoadError(test::kSurrogate32, "b32-init-fails", Error::Kind::failed, kInitFailed);
  EXPECT_TRUE(test::sharedX86()->isRunning());
}

#if _WIN32
TEST(LoadErrors, ADllMainThatFails) {
  for (const auto& where : {test::kInProcess64, test::kSurrogate64}) {
    expectLoadError(where, "b32-dllmain-fails", Error::Kind::badModule, "DllMain returned FALSE");
  }
}
#endif

// A surrogate that dies before the handshake: its exit code and what it said on stderr are in
// the error.
TEST(LoadErrors, ASurrogateThatExitsBeforeTheHandshake) {
  auto directory = test::outputDir() / "exits-early";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  auto surrogate = test::surrogatePath(Architecture::x64).filename();
  auto fake = test::outputDir() / "elsewhere" / "x64" / "b32-exits-early";
#if _WIN32
  fake += ".exe";
#endif
  std::filesystem::copy_file(fake, directory / surrogate);
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.surrogateDirectory = directory;
  Error error = expectError([&] {
    PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"), options);
  });
  EXPECT_EQ(error.kind(), Error::Kind::surrogateStart) << error.message();
  EXPECT_TRUE(contains(error, utf8(directory / surrogate))) << error.message();
  EXPECT_TRUE(contains(error, "exited with code 7")) << error.message();
  EXPECT_TRUE(contains(error, "the plugin folder is not readable")) << error.message();
}

TEST(ModuleFile, ImportedDllsAreReadFromThePeImportTable) {
#if _WIN32
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
    auto path = test::pluginPath(architecture, "b32-needs-gone");
    auto imports = importedDlls(path);
    EXPECT_NE(std::find(imports.begin(), imports.end(), "b32-gone.dll"), imports.end())
        << toString(architecture);
    // Any prefix of the file, as a damaged copy would be: nothing read beyond what is there.
    std::ifstream file(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), {});
    auto cut = test::outputDir() / "truncated.dll";
    for (size_t size = 0; size < bytes.size(); size += 509) {
      std::ofstream(cut, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(size));
      auto partial = importedDlls(cut);
      EXPECT_LE(partial.size(), imports.size());
    }
  }
#else
  EXPECT_TRUE(importedDlls(test::pluginPath(Architecture::x64, "b32-needs-gone")).empty())
      << "an ELF file has no PE import table";
#endif
}

}  // namespace
}  // namespace bridge32
