// libFuzzer target: a header as a user's vendor might write it, or as someone might to hurt the
// host: preprocessed (simplecpp, with bridge32's built-in system headers) and read whole by the
// declaration parser. Whatever it is, the answer is declarations (with what was passed over) or
// an Error, never a crash, hang, leak or undefined behaviour; macros that multiply stop at the
// token limit. The header is named as if in a directory that does not exist, so that its
// includes find nothing but the built-in headers and absolute paths (of which only regular files
// within the size limit are read: never a device).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bridge32/error.h"
#include "library/c-parser.h"
#include "library/header-preprocessor.h"

using namespace bridge32;
using namespace bridge32::library;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Abi abi : {Abi::win32, Abi::sysvI386}) {
    PreprocessOptions options;
    options.abi = abi;
    options.maxTokens = 100000;  // the same refusal, sooner: a run is a few milliseconds
    try {
      PreprocessedText preprocessed = preprocessHeaderText(text, "/bridge32-fuzz/fuzz.h", options);
      ParseOptions parse;
      parse.skipUnsupported = true;
      parse.sources = &preprocessed.lines;
      parse.maxTextBytes = kMaxHeaderTextBytes;
      parse.abi = abi;
      Declarations declarations = parseDeclarations(preprocessed.text, parse);
      for (const auto& function : declarations.functions()) describe(*function);
    } catch (const Error&) {
      // Refused, saying why: what a hostile header should get.
    }
  }
  return 0;
}
