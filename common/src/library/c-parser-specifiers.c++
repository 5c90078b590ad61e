// Specifiers: the words before a declarator (a type, const, typedef, a calling convention,
// __declspec and __attribute__, SAL, noise) and the type they name, built-in keyword
// combinations included.
#include "library/c-parser-internal.h"

namespace bridge32::library {

// ---------------------------------------------------------------------------------------------
// Words with a meaning in specifiers

bool isNoise(std::string_view word) {
  static const std::set<std::string_view> kNoise = {
      "extern", "static", "inline", "__inline", "__inline__", "__forceinline", "register",
      "volatile", "__volatile__", "restrict", "__restrict", "__restrict__", "__unaligned",
      "__ptr32", "__ptr64", "__w64", "__extension__", "FAR", "NEAR", "far", "near", "IN",
      "OUT", "OPTIONAL", "WINBASEAPI", "WINUSERAPI", "WINGDIAPI", "WINADVAPI", "DECLSPEC_IMPORT",
      "ZEXTERN", "ZEXPORT", "ZEXPORTVA"};
  return kNoise.count(word) != 0;
}

bool isConstWord(std::string_view word) { return word == "const" || word == "CONST"; }

std::optional<CallingConvention> conventionWord(std::string_view word) {
  static const std::map<std::string_view, CallingConvention> kWords = {
      {"__cdecl", CallingConvention::cDecl},       {"_cdecl", CallingConvention::cDecl},
      {"cdecl", CallingConvention::cDecl},         {"CDECL", CallingConvention::cDecl},
      {"WINAPIV", CallingConvention::cDecl},       {"__stdcall", CallingConvention::stdCall},
      {"_stdcall", CallingConvention::stdCall},    {"WINAPI", CallingConvention::stdCall},
      {"CALLBACK", CallingConvention::stdCall},    {"APIENTRY", CallingConvention::stdCall},
      {"NTAPI", CallingConvention::stdCall},       {"PASCAL", CallingConvention::stdCall},
      {"pascal", CallingConvention::stdCall},      {"__fastcall", CallingConvention::fastCall},
      {"_fastcall", CallingConvention::fastCall},  {"__thiscall", CallingConvention::thisCall}};
  auto found = kWords.find(word);
  if (found == kWords.end()) return std::nullopt;
  return found->second;
}

std::optional<TypeWord> typeWord(std::string_view word) {
  static const std::map<std::string_view, TypeWord> kWords = {
      {"void", TypeWord::voidWord},       {"bool", TypeWord::boolWord},
      {"_Bool", TypeWord::boolWord},      {"char", TypeWord::charWord},
      {"wchar_t", TypeWord::wcharWord},   {"short", TypeWord::shortWord},
      {"int", TypeWord::intWord},         {"long", TypeWord::longWord},
      {"signed", TypeWord::signedWord},   {"__signed__", TypeWord::signedWord},
      {"unsigned", TypeWord::unsignedWord}, {"float", TypeWord::floatWord},
      {"double", TypeWord::doubleWord},   {"__int8", TypeWord::int8},
      {"__int16", TypeWord::int16},       {"__int32", TypeWord::int32},
      {"__int64", TypeWord::int64}};
  auto found = kWords.find(word);
  if (found == kWords.end()) return std::nullopt;
  return found->second;
}

// ---------------------------------------------------------------------------------------------
// Specifiers

Specifiers DeclarationParser::parseSpecifiers(SalRole role) {
  Specifiers specifiers;
  specifiers.start = peek();
  while (parseSpecifier(specifiers, role)) {
  }
  return specifiers;
}

// One specifier, or false when the next token is not one.
bool DeclarationParser::parseSpecifier(Specifiers& specifiers, SalRole role) {
  const Token& token = peek();
  if (token.kind != Token::Kind::identifier) return false;
  std::string_view word = token.text;
  if (isNoise(word)) {
    take();
  } else if (isConstWord(word)) {
    take();
    specifiers.isConst = true;
  } else if (word == "typedef") {
    take();
    specifiers.isTypedef = true;
  } else if (auto convention = conventionWord(word)) {
    take();
    specifiers.convention = *convention;
  } else if (word == "__declspec") {
    parseDeclspec();
  } else if (word == "__attribute__" || word == "__attribute") {
    CallingConvention convention = parseAttribute(nullptr);
    if (convention != CallingConvention::platformDefault) specifiers.convention = convention;
  } else if (const SalRule* rule = salRule(word)) {
    specifiers.annotations.push_back(parseSal(*rule, role));
  } else if (auto keyword = typeWord(word)) {
    if (specifiers.named) failAt(token, "'" + std::string(word) + "' after a type name");
    take();
    specifiers.words.push_back(*keyword);
  } else if (word == "struct" || word == "union" || word == "enum") {
    setNamed(specifiers, parseTagged());
  } else if (!specifiers.hasType()) {
    setNamed(specifiers, typedefName());
  } else {
    return false;  // the declarator's name
  }
  return true;
}

void DeclarationParser::setNamed(Specifiers& specifiers, const Type* type) {
  if (specifiers.hasType()) failAt(specifiers.start, "two types in one declaration");
  specifiers.named = type;
}

const Type* DeclarationParser::typedefName() {
  const Token& token = take();
  if (token.text.size() > 2 && token.text.front() == '_' && token.text.back() == '_' &&
      token.text[1] >= 'A' && token.text[1] <= 'Z') {
    failAt(token, "unknown annotation '" + std::string(token.text) + "'");
  }
  auto found = typedefs_.find(token.text);
  if (found != typedefs_.end()) return found->second;
  // A tag as a type name, as C++ has it (`Point p;` after `struct Point {...};`).
  auto tag = tags_.find(token.text);
  if (tag != tags_.end()) return tag->second;
  failAt(token, "unknown type '" + std::string(token.text) + "'");
}

// A C++ default argument (`int b = 1`): nothing to a caller, who gives every argument.
void DeclarationParser::skipDefaultArgument() {
  int depth = 0;
  while (!(depth == 0 && (peek().is(",") || peek().is(")")))) {
    if (peek().kind == Token::Kind::end) failExpected("')'");
    if (peek().is("(") || peek().is("{") || peek().is("[")) ++depth;
    if (peek().is(")") || peek().is("}") || peek().is("]")) --depth;
    take();
  }
}

void DeclarationParser::skipParenthesised() {
  const Token& open = expect("(");
  Nesting nesting(depth_, open);
  while (!peek().is(")")) {
    if (peek().kind == Token::Kind::end) failExpected("')'");
    if (peek().is("(")) skipParenthesised();
    else take();
  }
  take();
}

// __declspec(a, b(c) ...): align(n) is kept for the struct or union this declaration defines
// (pendingAlign_), the rest (dllimport, noreturn, deprecated...) mean nothing to a caller.
void DeclarationParser::parseDeclspec() {
  take();
  const Token& open = expect("(");
  Nesting nesting(depth_, open);
  while (!peek().is(")")) {
    if (peek().kind == Token::Kind::end) failExpected("')'");
    const Token& word = take();
    if (word.isIdentifier("align") && peek().is("(")) {
      take();
      pendingAlign_ = alignmentValue(take());
      pendingAlignIsDeclspec_ = true;
      expect(")");
    } else if (peek().is("(")) {
      skipParenthesised();
    }
  }
  take();
}

uint32_t DeclarationParser::alignmentValue(const Token& token) {
  if (token.kind == Token::Kind::number) {
    int64_t value = integerLiteral(token);
    if (value > 0 && value <= 8192 && (value & (value - 1)) == 0) return uint32_t(value);
  }
  failAt(token, "expected an alignment (a power of two up to 8192), found " +
                    describeToken(token));
}

// An alignment given where no struct or union is defined (a field, a typedef of a type
// defined before) is not taken: refused rather than laid out wrong.
void DeclarationParser::refuseUnusedAlignment(const Token& at) {
  if (pendingAlign_ == 0) return;
  pendingAlign_ = 0;
  failAt(at, "an alignment (align / aligned) is taken only on a struct or union definition");
}

// __attribute__((a, b(c), ...)): packed sets *packed (refused where no struct is defined),
// aligned(n) is kept as __declspec(align(n)) is, calling conventions are returned, attributes
// that change a layout otherwise are refused, the rest (dllimport, nothrow, deprecated...)
// mean nothing to a caller.
CallingConvention DeclarationParser::parseAttribute(bool* packed) {
  take();
  expect("(");
  const Token& open = expect("(");
  Nesting nesting(depth_, open);
  CallingConvention convention = CallingConvention::platformDefault;
  while (!peek().is(")")) {
    const Token& name = expectIdentifier("an attribute name");
    std::string_view word = name.text;
    if (word.size() > 4 && word.substr(0, 2) == "__" && word.substr(word.size() - 2) == "__") {
      word = word.substr(2, word.size() - 4);
    }
    if (word == "packed") {
      if (!packed) failAt(name, "packed applies to a struct or union definition");
      *packed = true;
    } else if (word == "aligned") {
      if (peek().is("(")) {
        take();
        pendingAlign_ = alignmentValue(take());
        expect(")");
      } else {
        pendingAlign_ = 16;  // the largest alignment of any x86 type, as GCC's default
      }
      pendingAlignIsDeclspec_ = false;
      if (!accept(",")) break;
      continue;
    } else if (word == "ms_struct" || word == "gcc_struct" ||
               word == "vector_size" || word == "mode" || word == "regparm") {
      failAt(name, "attribute '" + std::string(word) + "' is not supported");
    } else if (word == "stdcall" || word == "cdecl" || word == "fastcall" ||
               word == "thiscall") {
      convention = *conventionWord("__" + std::string(word));
    }
    if (peek().is("(")) skipParenthesised();
    if (!accept(",")) break;
  }
  expect(")");
  expect(")");
  return convention;
}

CallingConvention DeclarationParser::parseTrailingAttributes() {
  CallingConvention convention = CallingConvention::platformDefault;
  while (peek().isIdentifier("__attribute__") || peek().isIdentifier("__attribute")) {
    CallingConvention found = parseAttribute(nullptr);
    if (found != CallingConvention::platformDefault) convention = found;
  }
  return convention;
}

const Type* DeclarationParser::baseType(const Specifiers& specifiers) {
  const Type* type = specifiers.named ? specifiers.named : keywordCombination(specifiers);
  return specifiers.isConst ? constOf(type) : type;
}

// int, unsigned long long, signed char...: the words in any order, as C allows.
const Type* DeclarationParser::keywordCombination(const Specifiers& specifiers) {
  if (specifiers.words.empty()) {
    failAt(specifiers.start, "expected a type, found " + describeToken(specifiers.start));
  }
  std::map<TypeWord, int> count;
  for (TypeWord word : specifiers.words) ++count[word];
  auto has = [&](TypeWord word) { return count[word] > 0; };
  bool isUnsigned = has(TypeWord::unsignedWord);
  if (isUnsigned && has(TypeWord::signedWord)) {
    failAt(specifiers.start, "both signed and unsigned");
  }
  int longs = count[TypeWord::longWord];
  if (longs > 0 && has(TypeWord::doubleWord)) {
    failAt(specifiers.start,
           "long double is not supported: its size differs between compilers (8 bytes in "
           "MSVC, 12 or 16 in GCC)");
  }
  size_t sizeWords = size_t(longs) + size_t(count[TypeWord::shortWord]);
  size_t kinds = 0;
  for (TypeWord word : {TypeWord::voidWord, TypeWord::boolWord, TypeWord::charWord,
                        TypeWord::wcharWord, TypeWord::floatWord, TypeWord::doubleWord,
                        TypeWord::int8, TypeWord::int16, TypeWord::int32, TypeWord::int64}) {
    kinds += size_t(count[word]);
  }
  bool plainInt = kinds == 0;
  bool valid = kinds <= 1 && count[TypeWord::intWord] <= 1 && longs <= 2 &&
               count[TypeWord::shortWord] <= 1 && (longs == 0 || !has(TypeWord::shortWord)) &&
               count[TypeWord::signedWord] <= 1 && count[TypeWord::unsignedWord] <= 1 &&
               (plainInt || (sizeWords == 0 && !has(TypeWord::intWord)));
  bool signWords = has(TypeWord::signedWord) || isUnsigned;
  valid = valid && (!signWords || plainInt || has(TypeWord::charWord) || has(TypeWord::int8) ||
                    has(TypeWord::int16) || has(TypeWord::int32) || has(TypeWord::int64));
  if (!valid) failAt(specifiers.start, "invalid combination of type keywords");
  if (!plainInt) return singleKindType(specifiers, count, isUnsigned);
  return plainIntegerType(longs, has(TypeWord::shortWord), isUnsigned);
}

const Type* DeclarationParser::singleKindType(const Specifiers& specifiers,
                                              std::map<TypeWord, int>& count, bool isUnsigned) {
  using W = IntegerWidth;
  auto make = [&](std::string name, W width, Character character = Character::none) {
    bool isSigned = !isUnsigned;
    return keywordType(name, [&] { return integer(name, width, isSigned, character); });
  };
  std::string sign = isUnsigned ? "unsigned " : "";
  if (count[TypeWord::voidWord]) return keywordType("void", [&] { return add(voidNamed()); });
  if (count[TypeWord::boolWord]) return keywordType("bool", [&] { return add(boolNamed()); });
  if (count[TypeWord::floatWord]) return keywordType("float", [&] { return add(floating(4)); });
  if (count[TypeWord::doubleWord]) {
    return keywordType("double", [&] { return add(floating(8)); });
  }
  if (count[TypeWord::wcharWord]) return make("wchar_t", W::wcharT, Character::wide);
  if (count[TypeWord::charWord]) {
    bool plain = !isUnsigned && !count[TypeWord::signedWord];
    if (plain) return make("char", W::bits8, Character::narrow);  // signed on x86
    return make(isUnsigned ? "unsigned char" : "signed char", W::bits8);
  }
  if (count[TypeWord::int8]) return make(sign + "__int8", W::bits8);
  if (count[TypeWord::int16]) return make(sign + "__int16", W::bits16);
  if (count[TypeWord::int32]) return make(sign + "__int32", W::bits32);
  if (count[TypeWord::int64]) return make(sign + "__int64", W::bits64);
  failAt(specifiers.start, "invalid combination of type keywords");
}

const Type* DeclarationParser::plainIntegerType(int longs, bool isShort, bool isUnsigned) {
  using W = IntegerWidth;
  std::string sign = isUnsigned ? "unsigned " : "";
  std::string name = isShort ? "short" : longs == 2 ? "long long" : longs == 1 ? "long" : "int";
  W width = isShort ? W::bits16 : longs == 2 ? W::bits64 : longs == 1 ? W::cLong : W::bits32;
  return keywordType(sign + name, [&] { return integer(sign + name, width, !isUnsigned); });
}

Type DeclarationParser::voidNamed() {
  Type type;
  type.name = "void";
  return type;
}

Type DeclarationParser::boolNamed() {
  Type type;
  type.kind = Type::Kind::boolean;
  type.name = "bool";
  return type;
}

Type DeclarationParser::floating(uint32_t bytes) {
  Type type;
  type.kind = Type::Kind::floating;
  type.floatBytes = bytes;
  type.name = bytes == 4 ? "float" : "double";
  return type;
}

}  // namespace bridge32::library
