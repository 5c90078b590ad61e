// Modules that cannot load, each with its own clear error naming the module and what is wrong,
// in-process and in genuine 32-bit and 64-bit surrogates; the host carries on.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "bridge32/host.h"
#include "bridge32/module-file.h"
#include "harness.h"

namespace bridge32 {
namespace {

using test::expectError;

bool contains(const Error& error, std::string_view text) {
  return error.message().find(text) != std::string::npos;
}

LoadOptions inSurrogate() {
  LoadOptions options = test::baseOptions();
  options.isolation = Isolation::surrogate;
  return options;
}

LoadOptions inProcess() {
  LoadOptions options = test::baseOptions();
  options.isolation = Isolation::inProcess;
  return options;
}

LoadOptions inShared32() {
  LoadOptions options = test::baseOptions();
  options.surrogate = test::sharedX86();
  return options;
}

void expectMissingDependencyNamed(Architecture architecture, const LoadOptions& options,
                                  const char* setup) {
  auto path = test::pluginPath(architecture, "b32-needs-gone");
  Error error = expectError([&] { PluginModule::load(path, options); });
  EXPECT_EQ(error.kind(), Error::Kind::badModule) << setup << ": " << error.message();
  EXPECT_TRUE(contains(error, utf8(path))) << setup << ": " << error.message();
#if _WIN32
  EXPECT_TRUE(contains(error, "it needs b32-gone.dll")) << setup << ": " << error.message();
#else
  EXPECT_TRUE(contains(error, "b32-gone.so")) << setup << ": " << error.message();
#endif
}

TEST(LoadErrors, AMissingDependencyIsNamed) {
  expectMissingDependencyNamed(Architecture::x64, inProcess(), "in-process");
  expectMissingDependencyNamed(Architecture::x64, inSurrogate(), "x64 surrogate");
}

TEST(LoadErrors, AMissingDependencyIsNamed32) {
  expectMissingDependencyNamed(Architecture::x86, inShared32(), "x86 surrogate");
  EXPECT_TRUE(test::sharedX86()->isRunning()) << "a refused module does not hurt the surrogate";
  HostCallbacks callbacks;
  auto samples = PluginModule::load(test::pluginPath(Architecture::x86, "b32-samples"),
                                    inShared32());
  EXPECT_EQ(samples->createInstance("com.bridge32.samples.gain", callbacks)->param(1), 1.0);
}

void expectThrowingEntryReported(Architecture architecture, const LoadOptions& options,
                                 const char* setup) {
  auto path = test::pluginPath(architecture, "b32-entry-throws");
  Error error = expectError([&] { PluginModule::load(path, options); });
  EXPECT_EQ(error.kind(), Error::Kind::badModule) << setup << ": " << error.message();
  EXPECT_TRUE(contains(error, utf8(path))) << setup << ": " << error.message();
  EXPECT_TRUE(contains(error, "init() threw \"the licence server is unreachable\""))
      << setup << ": " << error.message();
}

// An exception that leaves init() is caught where the plugin's runtime can unwind into the
// loader's frames. (MinGW's 32-bit DWARF unwinding cannot cross into another module's copy of
// the runtime: there the plugin's terminate() ends the surrogate, which the crash tests cover.)
TEST(LoadErrors, AnEntryPointThatThrows) {
  expectThrowingEntryReported(Architecture::x64, inSurrogate(), "x64 surrogate");
#if !_WIN32
  expectThrowingEntryReported(Architecture::x64, inProcess(), "in-process");
  expectThrowingEntryReported(Architecture::x86, inSurrogate(), "x86 surrogate");
#endif
}

void expectFailingEntryReported(Architecture architecture, const LoadOptions& options,
                                const char* setup) {
  auto path = test::pluginPath(architecture, "b32-init-fails");
  Error error = expectError([&] { PluginModule::load(path, options); });
  EXPECT_EQ(error.kind(), Error::Kind::failed) << setup << ": " << error.message();
  EXPECT_TRUE(contains(error, utf8(path))) << setup << ": " << error.message();
  EXPECT_TRUE(contains(error, "failed to initialize: init() returned"))
      << setup << ": " << error.message();
}

TEST(LoadErrors, AnEntryPointThatReturnsFailure) {
  expectFailingEntryReported(Architecture::x64, inProcess(), "in-process");
  expectFailingEntryReported(Architecture::x64, inSurrogate(), "x64 surrogate");
}

TEST(LoadErrors, AnEntryPointThatReturnsFailure32) {
  expectFailingEntryReported(Architecture::x86, inShared32(), "x86 surrogate");
  EXPECT_TRUE(test::sharedX86()->isRunning());
}

#if _WIN32
TEST(LoadErrors, ADllMainThatFails) {
  auto path = test::pluginPath(Architecture::x64, "b32-dllmain-fails");
  for (auto [setup, options] : {std::pair{"in-process", inProcess()},
                                std::pair{"x64 surrogate", inSurrogate()}}) {
    Error error = expectError([&] { PluginModule::load(path, options); });
    EXPECT_EQ(error.kind(), Error::Kind::badModule) << setup << ": " << error.message();
    EXPECT_TRUE(contains(error, utf8(path))) << setup << ": " << error.message();
    EXPECT_TRUE(contains(error, "DllMain returned FALSE")) << setup << ": " << error.message();
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
  LoadOptions options = inSurrogate();
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
