// The C declaration language of bridge32: function declarations as copied from a vendor header,
// with the structs, unions, enums and typedefs they use, Microsoft SAL annotations, calling
// conventions, `#pragma pack` (and `__pragma(pack(...))`) and integer `#define`s. Windows and
// <stdint.h> type names are predefined. Pure text to types: no I/O, nothing ABI-specific but
// `sizeof` (see ParseOptions::abi and c-types.h). Whole headers come preprocessed
// (host64/src/library/header-preprocessor.h) and are read with ParseOptions::skipUnsupported.
//
// What is accepted beyond plain C: __declspec(...), __attribute__((...)) (packed, calling
// conventions and aligned on a struct definition honoured; aligned anywhere else refused),
// extern "C" { ... }, what C++ headers write (tags as type names, default arguments), Windows
// macros that are noise here (WINBASEAPI, FAR, IN, OUT, OPTIONAL...). Bit-fields are laid out
// per ABI (c-types.h). Refused with a clear error: long double, preprocessor conditionals
// (preprocess first), variables, function bodies.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "library/c-types.h"

namespace bridge32::library {

// Where the lines of a text came from, when it was made from files (a preprocessor's output):
// line L of the text is line lines[L - 1].line of files[lines[L - 1].file].
struct SourceLines {
  struct Line {
    uint32_t file = 0;
    uint32_t line = 0;
  };
  std::vector<std::string> files;
  std::vector<Line> lines;
  // "zlib.h:1234: " for a line it knows, "" for one it does not.
  std::string describe(uint32_t textLine) const;
};

// A declaration of a header that the parser passed over (see ParseOptions::skipUnsupported).
struct SkippedDeclaration {
  std::string name;    // what it declared, as far as it could tell; may be empty
  std::string reason;  // the error, with where it is
  bool isFunction = false;  // the name was followed by '(': a function, as far as it could tell
};

// What one text declared. Cheap to copy: copies share the parsed types, which are immutable.
// The shared_ptrs it hands out keep all of them alive on their own. Thread-safe to read.
class Declarations {
 public:
  // Every function declared, in the order of the text.
  const std::vector<std::shared_ptr<const Signature>>& functions() const { return functions_; }
  // "The" function of a one-function text: the last one declared. Throws
  // Error(invalidArgument) when the text declared none.
  std::shared_ptr<const Signature> function() const;
  // The last function of that name, or null.
  std::shared_ptr<const Signature> findFunction(std::string_view name) const;
  // A typedef name, predefined ("DWORD", "size_t") or declared; null if unknown.
  std::shared_ptr<const Type> findType(std::string_view name) const;
  // A struct, union or enum by tag; null if unknown.
  std::shared_ptr<const Type> findTag(std::string_view tag) const;
  // An enumerator or #define constant.
  std::optional<int64_t> findConstant(std::string_view name) const;
  // What was passed over, in the order of the text (only with ParseOptions::skipUnsupported).
  const std::vector<SkippedDeclaration>& skipped() const { return skipped_; }

  // Equal when everything declared is structurally equal (see operator== in c-types.h).
  friend bool operator==(const Declarations& a, const Declarations& b);

 private:
  friend class DeclarationParser;
  std::shared_ptr<const Type> share(const Type* type) const;

  std::shared_ptr<const TypeStore> store_;
  std::vector<std::shared_ptr<const Signature>> functions_;
  std::map<std::string, const Type*, std::less<>> typedefs_;
  std::map<std::string, const Type*, std::less<>> tags_;
  std::map<std::string, int64_t, std::less<>> constants_;
  std::vector<SkippedDeclaration> skipped_;
};

// Limits that keep hostile text from exhausting the stack or memory.
constexpr size_t kMaxDeclarationTextBytes = size_t(1) << 20;
constexpr int kMaxDeclarationNesting = 64;  // parentheses, braces, nested structs, parameter lists
// For the text of whole headers (a preprocessed sqlite3.h is about 400 KB).
constexpr size_t kMaxHeaderTextBytes = size_t(64) << 20;

// Parses `text`. Throws Error(invalidArgument) with "line L, column C: expected X, found Y" and
// similar messages ("unknown type 'FOO'"). The same text always gives equal Declarations.
Declarations parseDeclarations(std::string_view text);

struct ParseOptions {
  // A whole header's text: a declaration the parser cannot take (a variable, an inline function,
  // a C++ class, a type it does not know) is passed over and recorded, not an error for the whole
  // text. Only what is left unbalanced (a '{' never closed) still fails it.
  bool skipUnsupported = false;
  const SourceLines* sources = nullptr;  // where the lines came from, for messages
  size_t maxTextBytes = kMaxDeclarationTextBytes;
  // The ABI of the library the text is read for, which `sizeof` in sizes needs (without one, it
  // is refused); nothing else in the parse depends on it.
  std::optional<Abi> abi;
  // Declarations the text continues, as if it came after the text they were parsed from (which
  // is not parsed again): their types, tags, constants, functions and what they passed over are
  // the result's too. A struct they declared without defining it, which the text defines, is
  // a new type: their functions keep the incomplete one (a pointer to it stays opaque).
  const Declarations* base = nullptr;
};
Declarations parseDeclarations(std::string_view text, const ParseOptions& options);

// The annotation words the parser reads (_In_, _Out_writes_...), which a preprocessor must leave
// alone whatever a sal.h defines them as.
std::vector<std::string_view> annotationNames();

}  // namespace bridge32::library
