// libFuzzer target: the text a user gives `bridge32 call` and Library::function, and the C
// literals of its arguments. Whatever it is, the parser answers with declarations or an
// Error(invalidArgument), never a crash, hang or undefined behaviour (ASan and UBSan); what
// parses is laid out in all four ABIs or refused the same way, and what a literal prints reads
// back as the value it printed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bridge32/error.h"
#include "library/c-literals.h"
#include "library/c-parser.h"

namespace {

using namespace bridge32;
using namespace bridge32::library;

void layOut(const Declarations& declarations) {
  for (const auto& function : declarations.functions()) {
    for (Abi abi : {Abi::win32, Abi::win64, Abi::sysvI386, Abi::sysvX64}) {
      for (const auto& parameter : function->parameters) {
        try {
          layoutOf(*parameter.type, abi);
        } catch (const Error&) {
          // A type without a layout (void, an incomplete struct) is refused, not laid out.
        }
      }
    }
  }
}

// Equal as the same C value: a double printed in its shortest form ("2") reads back as the
// integer it equals, which is the same value where a double is declared.
bool sameValue(const Value& a, const Value& b) {
  if (a.isFloating() || b.isFloating()) {
    if (!(a.isFloating() || a.isInteger()) || !(b.isFloating() || b.isInteger())) return false;
    try {
      double x = a.asDouble(), y = b.asDouble();
      return x == y || (x != x && y != y);
    } catch (const Error&) {
      return false;
    }
  }
  if (a.isArray() && b.isArray()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!sameValue(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.isStruct() && b.isStruct()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a.asStruct()[i].name != b.asStruct()[i].name ||
          !sameValue(a.asStruct()[i].value, b.asStruct()[i].value)) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    layOut(parseDeclarations(text));
  } catch (const Error& error) {
    if (error.kind() != Error::Kind::invalidArgument) __builtin_trap();
  }
  try {
    Value value = parseLiteral(text);
    if (!sameValue(parseLiteral(toLiteral(value)), value)) __builtin_trap();
  } catch (const Error& error) {
    if (error.kind() != Error::Kind::invalidArgument) __builtin_trap();
  }
  return 0;
}
