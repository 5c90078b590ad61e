// Vendor headers as the compiler that built the library saw them: preprocessed by simplecpp
// (from cppcheck, built from Debian's source) with the predefined macros of the library's ABI,
// its includes found beside the including file, in the -I directories and, for the C library and
// Windows headers a user has no copy of, in a small built-in set (system-headers/). The result is
// C text for the declaration parser (c-parser.h), with where each of its lines came from.
//
// `#pragma pack` survives as `__pragma(pack(...))` at its place, active or not as its branch;
// other pragmas and every other directive are gone. Only the host reads headers.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/library.h"
#include "library/c-parser.h"
#include "library/c-types.h"

namespace bridge32::library {

// Limits on what headers may cost the host: each file read, and the text they make.
constexpr uint64_t kMaxHeaderFileBytes = uint64_t(64) << 20;
constexpr uint64_t kMaxPreprocessedBytes = uint64_t(64) << 20;
// Tokens the preprocessor may make, counting those of every macro expansion on the way (zlib.h
// makes about 3,000, sqlite3.h 7,000). Each costs some 270 bytes while it lives: the limit is
// about half a gigabyte, reached in a few seconds.
constexpr size_t kMaxPreprocessorTokens = size_t(2) << 20;

struct PreprocessOptions {
  Abi abi = nativeAbi();
  std::vector<std::filesystem::path> includeDirectories;  // -I, searched in order
  std::vector<std::string> defines;                       // -D: "NAME" or "NAME=VALUE"
  std::vector<std::string> undefines;                     // -U, after the predefined and -D
  // Real system headers (MinGW-w64's, say) instead of the built-in set: searched after -I. For a
  // Windows DLL the predefined macros are then GCC's, as MinGW-w64's headers expect.
  std::filesystem::path systemHeaders;
  size_t maxTokens = kMaxPreprocessorTokens;
};

// The options of the public API (Library::include, the tool's --header) for a library of `abi`.
PreprocessOptions preprocessOptions(const HeaderOptions& options, Abi abi);

struct PreprocessedText {
  std::string text;
  SourceLines lines;   // where each line of `text` came from
  std::vector<std::string> notes;  // what was passed over: #warning, a missing system header
};

// Preprocesses `headers`, in order, as one translation unit. Throws Error(notFound) for a header
// that does not exist, Error(invalidArgument) for #error, a missing "quoted" include and syntax
// the preprocessor refuses, each naming the file and line, and for what exceeds the limits.
PreprocessedText preprocessHeaders(const std::vector<std::filesystem::path>& headers,
                                   const PreprocessOptions& options);

// The same for one header given as text, named `name` in messages (the fuzzer): its includes are
// found as those of a header `name` in the current directory.
PreprocessedText preprocessHeaderText(std::string_view text, const std::string& name,
                                      const PreprocessOptions& options);

// What `text` (whose lines are `lines`) declares after `base` (if any), parsed once, passing
// over what the parser cannot take. With `strict`, as for text a user wrote: what it passes over
// is an error, and so is a function declared again with other types than `base`'s declaration
// of it (annotations may differ: the new ones win).
Declarations declareAfter(const Declarations* base, std::string_view text,
                          const SourceLines& lines, bool strict, Abi abi);

// The lines of a text that came from no file: line L of `name`.
SourceLines linesOf(std::string_view text, const std::string& name);

// The macros a compiler for `abi` predefines, as -D would give them: "_WIN32=1", ... For Windows,
// MSVC's, or with `mingw` MinGW-w64's GCC's (whose headers --system-headers reads).
std::vector<std::string> predefinedMacros(Abi abi, bool mingw = false);

}  // namespace bridge32::library
