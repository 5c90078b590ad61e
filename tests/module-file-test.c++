// The build made genuine 32-bit and 64-bit binaries, and inspectModuleFile tells them apart.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "bridge32/error.h"
#include "bridge32/module-file.h"
#include "harness.h"
#include "support.h"

namespace bridge32 {
namespace {

TEST(ModuleFile, SurrogatesAreGenuine32And64BitExecutables) {
  ModuleFile x86 = inspectModuleFile(test::surrogatePath(Architecture::x86));
  ModuleFile x64 = inspectModuleFile(test::surrogatePath(Architecture::x64));
  EXPECT_EQ(x86.format, nativeModuleFormat());
  EXPECT_EQ(x86.architecture, Architecture::x86);
  EXPECT_FALSE(x86.is64Bit);
  EXPECT_EQ(x64.architecture, Architecture::x64);
  EXPECT_TRUE(x64.is64Bit);
#if _WIN32
  EXPECT_EQ(x86.describe(), "PE32 executable (x86)");   // machine 0x14c
  EXPECT_EQ(x64.describe(), "PE32+ executable (x64)");  // machine 0x8664
#else
  EXPECT_EQ(x86.machine, 3);  // EM_386
  EXPECT_EQ(x86.describe().rfind("ELF32", 0), 0u) << x86.describe();
  EXPECT_EQ(x64.machine, 62);  // EM_X86_64
#endif
}

#if _WIN32
// The COFF header's Characteristics of a PE file: IMAGE_FILE_LARGE_ADDRESS_AWARE is 0x20.
uint16_t peCharacteristics(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  auto read = [&](std::streamoff at, void* out, size_t size) {
    in.seekg(at);
    in.read(static_cast<char*>(out), std::streamsize(size));
    return bool(in);
  };
  uint32_t peHeader = 0;
  char signature[4] = {};
  uint16_t characteristics = 0;
  EXPECT_TRUE(read(0x3C, &peHeader, 4) && read(peHeader, signature, 4) &&
              std::string_view(signature, 4) == std::string_view("PE\0\0", 4) &&
              read(peHeader + 4 + 18, &characteristics, 2))
      << path;
  return characteristics;
}

TEST(ModuleFile, The32BitSurrogateTakesAll4GBWow64Gives) {
  EXPECT_NE(peCharacteristics(test::surrogatePath(Architecture::x86)) & 0x20, 0)
      << "the x86 surrogate is not linked large-address-aware: 2 GB, not 4";
}
#endif

TEST(ModuleFile, SamplePluginsExistInBothBitnesses) {
  ModuleFile x86 = inspectModuleFile(test::pluginPath(Architecture::x86, "b32-samples"));
  ModuleFile x64 = inspectModuleFile(test::pluginPath(Architecture::x64, "b32-samples"));
  EXPECT_TRUE(x86.isLibrary);
  EXPECT_TRUE(x64.isLibrary);
  EXPECT_EQ(x86.architecture, Architecture::x86);
  EXPECT_EQ(x64.architecture, Architecture::x64);
#if _WIN32
  EXPECT_EQ(x86.describe(), "PE32 DLL (x86)");
  EXPECT_EQ(x64.describe(), "PE32+ DLL (x64)");
#else
  EXPECT_EQ(x86.describe(), "ELF32 shared object (x86)");
  EXPECT_EQ(x64.describe(), "ELF64 shared object (x64)");
#endif
}

TEST(ModuleFile, ThisTestIsA64BitProcess) {
  EXPECT_EQ(thisArchitecture(), Architecture::x64);
  EXPECT_EQ(sizeof(void*), 8u);
}

TEST(ModuleFile, MissingFileIsNotFound) {
  auto path = test::outputDir() / "no-such-plugin.dll";
  try {
    inspectModuleFile(path);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::notFound);
    EXPECT_NE(error.message().find("no-such-plugin.dll"), std::string::npos) << error.what();
  }
}

TEST(ModuleFile, TextFileIsNotAModule) {
  auto path = std::filesystem::temp_directory_path() / "bridge32-not-a-module.dll";
  std::ofstream(path) << "this is not a DLL, just text long enough to fill a header............";
  try {
    inspectModuleFile(path);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::badModule);
    EXPECT_NE(error.message().find("expected a PE (Windows DLL) or ELF"), std::string::npos)
        << error.what();
  }
  std::filesystem::remove(path);
}

TEST(ModuleFile, TruncatedPeIsNotAModule) {
  auto path = std::filesystem::temp_directory_path() / "bridge32-truncated.dll";
  std::string header(64, '\0');
  header[0] = 'M';
  header[1] = 'Z';
  header[0x3c] = char(0x80);  // PE header offset past the end of the file
  std::ofstream(path, std::ios::binary) << header;
  try {
    inspectModuleFile(path);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::badModule);
    EXPECT_NE(error.message().find("no PE header"), std::string::npos) << error.what();
  }
  std::filesystem::remove(path);
}

// A real plugin module cut short at many points, as a failed download or copy leaves one. Each
// must be refused by its header checks: handed to the loader, a module whose segments reach past
// its end faults when touched (SIGBUS in-process, a dead surrogate for a bridged one).
TEST(ModuleFile, ATruncatedModuleIsRefusedBeforeAnyLoaderSeesIt) {
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
    SCOPED_TRACE(std::string(toString(architecture)));
    auto original = test::pluginPath(architecture, "b32-samples");
    std::ifstream in(original, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    ASSERT_GT(bytes.size(), 4096u);
    auto path = std::filesystem::temp_directory_path() /
                ("bridge32-truncated-" + std::string(toString(architecture)) + test::moduleSuffix());
    std::vector<size_t> cuts = {bytes.size() - 1, bytes.size() - 100, 4096};
    for (size_t cut = 256; cut < bytes.size(); cut += bytes.size() / 37) cuts.push_back(cut);
    for (size_t cut : cuts) {
      std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(cut));
      // In-process for the x64 one; the x86 one would go to a surrogate.
      Error error = test::expectError([&] { PluginModule::load(path, test::baseOptions()); });
      EXPECT_EQ(error.kind(), Error::Kind::badModule) << "cut at " << cut << ": " << error.what();
      EXPECT_NE(error.message().find("truncated"), std::string::npos)
          << "cut at " << cut << ": " << error.what();
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace bridge32
