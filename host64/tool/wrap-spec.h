// What a wrapper made by `bridge32 wrap LIB --header H` is made of (issue 29), and the file beside
// the wrapper that says it (`libz.so.1.bridge32`, `zlib1.dll.bridge32`): the 32-bit library, its
// headers and declarations, where bridge32's surrogates are, and the functions the wrapper
// exports, in the order of its entries. The tool writes it; the wrapper's runtime reads it at the
// first call.
//
//   bridge32-wrap 1
//   library /usr/lib/i386-linux-gnu/libz.so.1
//   surrogates /opt/bridge32/libexec/bridge32
//   call-timeout 5000     (each call's deadline in milliseconds; bridge32's default without)
//   header /usr/include/zlib.h
//   include DIR / define NAME=VALUE / undefine NAME / system-headers DIR
//   declare 87            (then that many bytes of declarations, and a newline)
//   function zlibVersion
//
// Paths are UTF-8; a relative one is relative to the file's directory.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bridge32/library.h"

namespace bridge32 {

struct WrapSpec {
  std::filesystem::path library;
  std::vector<std::filesystem::path> headers;
  HeaderOptions headerOptions;
  std::vector<std::string> declarations;  // declared after the headers (--declare)
  std::vector<std::string> functions;
  LoadOptions loadOptions;  // surrogateDirectory and callTimeout from the file; the rest
                            // bridge32's defaults
};

// A call deadline as the tool's --timeout and the file give it: milliseconds, a day at most.
constexpr const char* kCallTimeoutRange = "milliseconds from 1 to 86400000";
std::optional<std::chrono::milliseconds> callTimeoutFrom(const std::string& text);

// The file beside `wrapper` that says what it wraps.
std::filesystem::path wrapSpecFile(const std::filesystem::path& wrapper);

void writeWrapSpec(const WrapSpec& spec, const std::filesystem::path& file);
// Throws Error(notFound) when `file` is missing, Error(invalidArgument) naming the line of what
// it cannot read.
WrapSpec readWrapSpec(const std::filesystem::path& file);

}  // namespace bridge32
