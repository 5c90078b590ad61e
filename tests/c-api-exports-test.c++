// The shared library's C API (include/bridge32/bridge32.h): every function the header declares is
// exported under its C name, and bridge32.def (Windows: what other toolchains' import libraries
// are made of) lists exactly those. The C API's behaviour is tests/c-api/c-api-test.c's part.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "dynamic-library.h"
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

#if !_WIN32
// Nothing foreign is exported: no Cap'n Proto, KJ, spdlog, fmt, simplecpp or standard library
// names, only the C API and (until the C++ API is a layer over it) bridge32's own C++ names.
TEST(CApi, TheSharedLibraryExportsNothingButBridge32sOwnNames) {
  test::Ran symbols =
      test::runProgram(BRIDGE32_TEST_NM, {"-D", "--defined-only", "-P", sharedLibrary().string()});
  ASSERT_EQ(symbols.exitCode, 0) << symbols.err;
  std::regex ours(R"(^(bridge32_[a-z0-9_]+|_ZN[KVRO]*8bridge32.*|_ZT[ISVT]N8bridge32.*|)"
                  R"(_ZT[hv].*8bridge32.*|_ZGVN8bridge32.*|_ZZN8bridge32.*)$)");
  std::istringstream lines(symbols.out);
  size_t exported = 0, mangled = 0;
  std::set<std::string> foreign;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name, type;
    if (!(fields >> name >> type)) continue;
    // The version-script node names itself (an absolute symbol, no code or data).
    if (type == "A") continue;
    ++exported;
    mangled += name.rfind("_Z", 0) == 0;
    if (!std::regex_match(name, ours)) foreign.insert(name);
  }
  EXPECT_TRUE(foreign.empty()) << foreign.size() << " foreign names, the first: " << *foreign.begin();
  std::printf("[ figures  ] libbridge32.so exports %zu names: %zu C++ (bridge32's), %zu C\n",
              exported, mangled, exported - mangled);
}
#endif

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
