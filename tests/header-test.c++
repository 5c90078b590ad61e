// Vendor headers as they are: preprocessed (simplecpp, with the target's predefined macros and
// bridge32's built-in system headers) and read by the declaration parser, passing over what it
// cannot take. Real headers nobody here wrote: Debian's zlib.h and sqlite3.h.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bridge32/error.h"
#include "library/c-parser.h"
#include "library/header-preprocessor.h"

namespace bridge32::library {
namespace {

Declarations readHeaders(const std::vector<std::filesystem::path>& headers, Abi abi,
                         PreprocessOptions options = {}) {
  options.abi = abi;
  PreprocessedText text = preprocessHeaders(headers, options);
  ParseOptions parse;
  parse.skipUnsupported = true;
  parse.sources = &text.lines;
  parse.maxTextBytes = kMaxPreprocessedBytes;
  return parseDeclarations(text.text, parse);
}

TEST(Headers, DebiansZlibHeaderReadsForEveryAbi) {
  for (Abi abi : {Abi::sysvI386, Abi::sysvX64, Abi::win32, Abi::win64}) {
    SCOPED_TRACE(std::string(toString(abi)));
    Declarations zlib = readHeaders({"/usr/include/zlib.h"}, abi);
    for (const auto& skipped : zlib.skipped()) ADD_FAILURE() << skipped.name << ": " << skipped.reason;
    EXPECT_GT(zlib.functions().size(), 80u);
    ASSERT_TRUE(zlib.findFunction("compress"));
    // OF((args)) and ZEXTERN/ZEXPORT expanded, Bytef and uLongf from zconf.h's typedefs.
    EXPECT_EQ(describe(*zlib.findFunction("compress")),
              "int compress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen)");
    // deflateInit is a function-like macro over deflateInit_, not a function.
    EXPECT_FALSE(zlib.findFunction("deflateInit"));
    EXPECT_TRUE(zlib.findFunction("deflateInit_"));
  }
}

TEST(Headers, DebiansSqliteHeaderReads) {
  Declarations sqlite = readHeaders({"/usr/include/sqlite3.h"}, Abi::sysvI386);
  // Its three variables are passed over, naming them and where they are; nothing else is.
  std::vector<std::string> skipped;
  for (const auto& declaration : sqlite.skipped()) {
    skipped.push_back(declaration.name);
    EXPECT_NE(declaration.reason.find("/usr/include/sqlite3.h:"), std::string::npos)
        << declaration.reason;
    EXPECT_NE(declaration.reason.find("is a variable"), std::string::npos) << declaration.reason;
  }
  EXPECT_EQ(skipped, (std::vector<std::string>{"sqlite3_version", "sqlite3_temp_directory",
                                                "sqlite3_data_directory"}));
  EXPECT_GT(sqlite.functions().size(), 200u);
  EXPECT_TRUE(sqlite.findFunction("sqlite3_exec"));
}

}  // namespace
}  // namespace bridge32::library
