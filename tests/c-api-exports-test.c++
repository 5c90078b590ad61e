// The shared library's C API (include/bridge32/bridge32.h): every function the header declares is
// exported under its C name, and bridge32.def (Windows: what other toolchains' import libraries
// are made of) lists exactly those, and the library exports nothing else. The C API's behaviour is tests/c-api/c-api-test.c's part.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dynamic-library.h"
#include "module-exports.h"
#include "support.h"

namespace bridge32 {
namespace {

// The functions bridge32.h declares (`BRIDGE32_CALL bridge32_...(`).
std::set<std::string> declaredFunctions() {
  std::ifstream header(std::filesystem::path(BRIDGE32_SOURCE_DIR) / "include/bridge32/bridge32.h");
  std::stringstream text;
  text << header.rdbuf();
  std::set<std::string> names;
  std::regex declaration(R"(BRIDGE32_CALL (bridge32_[a-z0-9_]+)\()");
  std::string all = text.str();
  for (std::sregex_iterator it(all.begin(), all.end(), declaration), end; it != end; ++it) {
    names.insert((*it)[1].str());
  }
  return names;
}

std::filesystem::path sharedLibrary() {
#if _WIN32
  return test::outputDir() / "bin" / "bridge32.dll";
#else
  return test::outputDir() / "bin" / "libbridge32.so";
#endif
}

TEST(CApi, EveryFunctionTheHeaderDeclaresIsExportedByItsCName) {
  std::set<std::string> declared = declaredFunctions();
  ASSERT_GT(declared.size(), 100u) << "the header's functions were not found";
  DynamicLibrary library(sharedLibrary());
  for (const std::string& name : declared) {
    EXPECT_NE(library.symbol(name.c_str()), nullptr) << name << " is not exported";
  }
  std::printf("[ figures  ] %zu C API functions, each exported by %s\n", declared.size(),
              sharedLibrary().filename().string().c_str());
}

// The names the shared library exports: on Linux as binutils' nm reads them, on Windows from its
// export table.
std::set<std::string> exportedNames() {
  std::set<std::string> names;
#if _WIN32
  for (const Export& entry : listExports(sharedLibrary())) {
    names.insert(entry.name.empty() ? "#" + std::to_string(entry.ordinal.value_or(0))
                                    : entry.name);
  }
#else
  test::Ran symbols =
      test::runProgram(BRIDGE32_TEST_NM, {"-D", "--defined-only", "-P", sharedLibrary().string()});
  EXPECT_EQ(symbols.exitCode, 0) << symbols.err;
  std::istringstream lines(symbols.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name, type;
    if (!(fields >> name >> type)) continue;
    // The version-script node names itself (an absolute symbol, no code or data).
    if (type == "A") continue;
    names.insert(name);
  }
#endif
  return names;
}

// The library's boundary is the C API and nothing else: no C++ name, bridge32's own or anyone's
// (Cap'n Proto, KJ, spdlog, fmt, simplecpp, libffi, the standard library), no stray C symbol.
TEST(CApi, TheSharedLibraryExportsTheCApiAndNothingElse) {
  std::set<std::string> exported = exportedNames();
  std::set<std::string> declared = declaredFunctions();
  std::vector<std::string> foreign, missing;
  std::set_difference(exported.begin(), exported.end(), declared.begin(), declared.end(),
                      std::back_inserter(foreign));
  std::set_difference(declared.begin(), declared.end(), exported.begin(), exported.end(),
                      std::back_inserter(missing));
  EXPECT_TRUE(foreign.empty()) << foreign.size() << " names beside the C API, the first: "
                               << foreign.front();
  EXPECT_TRUE(missing.empty()) << missing.size() << " C API functions not exported, the first: "
                               << missing.front();
  size_t mangled = std::count_if(exported.begin(), exported.end(), [](const std::string& name) {
    return name.rfind("_Z", 0) == 0 || name.find('@') != std::string::npos;
  });
  std::printf("[ figures  ] %s exports %zu names: %zu C API functions, %zu mangled\n",
              sharedLibrary().filename().string().c_str(), exported.size(),
              exported.size() - foreign.size(), mangled);
}

#if _WIN32
TEST(CApi, TheModuleDefinitionFileListsExactlyTheHeadersFunctions) {
  std::ifstream def(test::outputDir() / "lib" / "bridge32.def");
  ASSERT_TRUE(def) << "no bridge32.def beside the build's libraries";
  std::string line;
  std::getline(def, line);
  EXPECT_EQ(line, "LIBRARY bridge32.dll");
  std::getline(def, line);
  EXPECT_EQ(line, "EXPORTS");
  std::set<std::string> listed;
  while (std::getline(def, line)) {
    std::istringstream words(line);
    std::string name;
    if (words >> name) listed.insert(name);
  }
  EXPECT_EQ(listed, declaredFunctions());
}
#endif

}  // namespace
}  // namespace bridge32
