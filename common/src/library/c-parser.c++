// A recursive-descent parser for C declarations. Tokens first (the Lexer below), then
// declarations: specifiers (types, qualifiers, SAL, calling conventions, noise), then declarators
// read the C way, inside out, into a list of steps (pointer, array, function) applied to the
// specifiers' type.
#include "library/c-parser.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <set>
#include <utility>

#include "bridge32/error.h"
#include "library/c-literals.h"

namespace bridge32::library {

namespace {

// ---------------------------------------------------------------------------------------------
// Tokens

struct Token {
  enum class Kind { identifier, number, string, character, punctuator, end };
  Kind kind = Kind::end;
  std::string_view text;
  uint32_t line = 1, column = 1;
  bool startsLine = false;  // first token of its line: where a # directive may begin

  bool is(std::string_view punctuator) const {
    return kind == Kind::punctuator && text == punctuator;
  }
  bool isIdentifier(std::string_view name) const {
    return kind == Kind::identifier && text == name;
  }
};

// Where the text being parsed came from, when it came from files (ParseOptions::sources).
thread_local const SourceLines* tSources = nullptr;

std::string position(uint32_t line, uint32_t column) {
  if (tSources) {
    if (std::string where = tSources->describe(line); !where.empty()) return where;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
}

[[noreturn]] void failAt(const Token& token, const std::string& message) {
  throw Error(Error::Kind::invalidArgument, position(token.line, token.column) + message);
}

// How a token reads in "found X".
std::string describeToken(const Token& token) {
  switch (token.kind) {
    case Token::Kind::end: return "end of input";
    case Token::Kind::string: return "a string";
    default: {
      constexpr size_t kMaxChars = 32;
      std::string text(token.text.substr(0, kMaxChars));
      return "'" + text + (token.text.size() > kMaxChars ? "...'" : "'");
    }
  }
}

bool isIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentifierChar(char c) { return isIdentifierStart(c) || isDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> tokenize() {
    std::vector<Token> tokens;
    bool startsLine = true;
    for (;;) {
      startsLine = skipSpaceAndComments() || startsLine;
      Token token = next();
      token.startsLine = startsLine;
      startsLine = false;
      tokens.push_back(token);
      if (token.kind == Token::Kind::end) return tokens;
    }
  }

 private:
  char peek(size_t ahead = 0) const {
    return offset_ + ahead < text_.size() ? text_[offset_ + ahead] : '\0';
  }
  bool atEnd() const { return offset_ >= text_.size(); }

  void advance() {
    if (text_[offset_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++offset_;
  }

  [[noreturn]] void fail(uint32_t line, uint32_t column, const std::string& message) const {
    throw Error(Error::Kind::invalidArgument, position(line, column) + message);
  }

  // Returns whether a line ended on the way (backslash-newline joins lines, as in C).
  bool skipSpaceAndComments() {
    bool newline = false;
    while (!atEnd()) {
      char c = peek();
      if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
        advance();
        if (peek() == '\r') advance();
        advance();
      } else if (c == '\n') {
        newline = true;
        advance();
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (c == '/' && peek(1) == '/') {
        while (!atEnd() && peek() != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        skipBlockComment();
      } else {
        break;
      }
    }
    return newline;
  }

  void skipBlockComment() {
    uint32_t line = line_, column = column_;
    advance();
    advance();
    while (!(peek() == '*' && peek(1) == '/')) {
      if (atEnd()) fail(line, column, "unterminated comment");
      advance();
    }
    advance();
    advance();
  }

  Token next() {
    Token token;
    token.line = line_;
    token.column = column_;
    size_t start = offset_;
    if (atEnd()) return token;
    char c = peek();
    if (isIdentifierStart(c)) {
      // An L, u, U or u8 prefix belongs to the string or character literal that follows.
      while (isIdentifierChar(peek())) advance();
      std::string_view word = text_.substr(start, offset_ - start);
      bool prefix = word == "L" || word == "u" || word == "U" || word == "u8";
      if (prefix && (peek() == '"' || peek() == '\'')) {
        token.kind = quoted(peek());
      } else {
        token.kind = Token::Kind::identifier;
      }
    } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
      skipNumber();
      token.kind = Token::Kind::number;
    } else if (c == '"' || c == '\'') {
      token.kind = quoted(c);
    } else {
      skipPunctuator(token);
      token.kind = Token::Kind::punctuator;
    }
    token.text = text_.substr(start, offset_ - start);
    return token;
  }

  // A C "preprocessing number": digits, letters, dots and exponent signs; c-literals judges it.
  void skipNumber() {
    for (;;) {
      char c = peek();
      bool exponent = (c == 'e' || c == 'E' || c == 'p' || c == 'P') &&
                      (peek(1) == '+' || peek(1) == '-');
      if (exponent) {
        advance();
        advance();
      } else if (isIdentifierChar(c) || c == '.') {
        advance();
      } else {
        return;
      }
    }
  }

  Token::Kind quoted(char quote) {
    uint32_t line = line_, column = column_;
    advance();
    while (peek() != quote) {
      if (atEnd() || peek() == '\n') {
        fail(line, column, quote == '"' ? "unterminated string" : "unterminated character");
      }
      if (peek() == '\\' && offset_ + 1 < text_.size()) advance();
      advance();
    }
    advance();
    return quote == '"' ? Token::Kind::string : Token::Kind::character;
  }

  void skipPunctuator(const Token& token) {
    static constexpr std::array<std::string_view, 3> kLong = {"...", "<<", ">>"};
    for (std::string_view punctuator : kLong) {
      if (text_.substr(offset_, punctuator.size()) == punctuator) {
        for (size_t i = 0; i < punctuator.size(); ++i) advance();
        return;
      }
    }
    static constexpr std::string_view kSingle = "()[]{},;*=:.+-/%&|^~!#<>?";
    char c = peek();
    if (kSingle.find(c) == std::string_view::npos) {
      unsigned char byte = static_cast<unsigned char>(c);
      std::string shown = byte >= 0x20 && byte < 0x7f ? "'" + std::string(1, c) + "'"
                                                      : "byte " + std::to_string(byte);
      fail(token.line, token.column, "unexpected character " + shown);
    }
    advance();
  }

  std::string_view text_;
  size_t offset_ = 0;
  uint32_t line_ = 1, column_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Words with a meaning in specifiers

// Macros and keywords that do not change the type or the call here.
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

enum class TypeWord { voidWord, boolWord, charWord, wcharWord, shortWord, intWord, longWord,
                      signedWord, unsignedWord, floatWord, doubleWord, int8, int16, int32, int64 };

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

// SAL annotations: where they belong and what they say.
enum class SalRole { parameter, result, field, any };
enum class SalShape { pointee, elements, bytes, string, kept, ignored, outPointer, outPointerText };

struct SalRule {
  std::string_view name;
  int sizes;  // size expressions in parentheses: 0, 1 or 2; -1: skip whatever is in them
  SalRole role;
  SalShape shape;
  Direction direction;
  bool optional;
};

// Every annotation the parser reads.
namespace sal {
using D = Direction;
using R = SalRole;
using S = SalShape;
constexpr SalRule kRules[] = {
    {"_In_", 0, R::parameter, S::pointee, D::in, false},
    {"_In_opt_", 0, R::parameter, S::pointee, D::in, true},
    {"_Out_", 0, R::parameter, S::pointee, D::out, false},
    {"_Out_opt_", 0, R::parameter, S::pointee, D::out, true},
    {"_Inout_", 0, R::parameter, S::pointee, D::inout, false},
    {"_Inout_opt_", 0, R::parameter, S::pointee, D::inout, true},
    {"_Reserved_", 0, R::parameter, S::pointee, D::in, true},
    {"_In_reads_", 1, R::parameter, S::elements, D::in, false},
    {"_In_reads_opt_", 1, R::parameter, S::elements, D::in, true},
    {"_In_reads_bytes_", 1, R::parameter, S::bytes, D::in, false},
    {"_In_reads_bytes_opt_", 1, R::parameter, S::bytes, D::in, true},
    {"_In_reads_z_", 1, R::parameter, S::string, D::in, false},
    {"_Out_writes_", 1, R::parameter, S::elements, D::out, false},
    {"_Out_writes_opt_", 1, R::parameter, S::elements, D::out, true},
    {"_Out_writes_bytes_", 1, R::parameter, S::bytes, D::out, false},
    {"_Out_writes_bytes_opt_", 1, R::parameter, S::bytes, D::out, true},
    {"_Out_writes_to_", 2, R::parameter, S::elements, D::out, false},
    {"_Out_writes_to_opt_", 2, R::parameter, S::elements, D::out, true},
    {"_Out_writes_bytes_to_", 2, R::parameter, S::bytes, D::out, false},
    {"_Out_writes_bytes_to_opt_", 2, R::parameter, S::bytes, D::out, true},
    {"_Out_writes_z_", 1, R::parameter, S::string, D::out, false},
    {"_Out_writes_opt_z_", 1, R::parameter, S::string, D::out, true},
    {"_Inout_updates_", 1, R::parameter, S::elements, D::inout, false},
    {"_Inout_updates_opt_", 1, R::parameter, S::elements, D::inout, true},
    {"_Inout_updates_bytes_", 1, R::parameter, S::bytes, D::inout, false},
    {"_Inout_updates_bytes_opt_", 1, R::parameter, S::bytes, D::inout, true},
    {"_Inout_updates_z_", 1, R::parameter, S::string, D::inout, false},
    {"_In_z_", 0, R::parameter, S::string, D::in, false},
    {"_In_opt_z_", 0, R::parameter, S::string, D::in, true},
    {"_Inout_z_", 0, R::parameter, S::string, D::inout, false},
    {"_Inout_opt_z_", 0, R::parameter, S::string, D::inout, true},
    {"_Ret_z_", 0, R::result, S::string, D::out, false},
    {"_Ret_maybenull_", 0, R::result, S::pointee, D::out, true},
    {"_Ret_maybenull_z_", 0, R::result, S::string, D::out, true},
    {"_Ret_notnull_", 0, R::result, S::pointee, D::out, false},
    {"_Ret_writes_", 1, R::result, S::elements, D::out, false},
    {"_Ret_writes_maybenull_", 1, R::result, S::elements, D::out, true},
    {"_Ret_writes_bytes_", 1, R::result, S::bytes, D::out, false},
    {"_Ret_writes_bytes_maybenull_", 1, R::result, S::bytes, D::out, true},
    {"_Field_size_", 1, R::field, S::elements, D::in, false},
    {"_Field_size_opt_", 1, R::field, S::elements, D::in, true},
    {"_Field_size_bytes_", 1, R::field, S::bytes, D::in, false},
    {"_Field_size_bytes_opt_", 1, R::field, S::bytes, D::in, true},
    {"_Field_z_", 0, R::field, S::string, D::in, false},
    {"_Inout_updates_to_", 2, R::parameter, S::elements, D::inout, false},
    {"_Inout_updates_bytes_to_", 2, R::parameter, S::bytes, D::inout, false},
    // The library sets *p to memory of its own (c-types.h, Annotation::outPointer).
    {"_Outptr_", 0, R::parameter, S::outPointer, D::out, false},
    {"_Outptr_opt_", 0, R::parameter, S::outPointer, D::out, true},
    {"_Outptr_result_maybenull_", 0, R::parameter, S::outPointer, D::out, false},
    {"_Outptr_opt_result_maybenull_", 0, R::parameter, S::outPointer, D::out, true},
    {"_Outptr_result_nullonfailure_", 0, R::parameter, S::outPointer, D::out, false},
    {"_Outptr_opt_result_nullonfailure_", 0, R::parameter, S::outPointer, D::out, true},
    {"_Outptr_result_buffer_", -1, R::parameter, S::outPointer, D::out, false},
    {"_Outptr_result_bytebuffer_", -1, R::parameter, S::outPointer, D::out, false},
    {"_Outptr_opt_result_buffer_", -1, R::parameter, S::outPointer, D::out, true},
    {"_COM_Outptr_", 0, R::parameter, S::outPointer, D::out, false},
    {"_COM_Outptr_opt_", 0, R::parameter, S::outPointer, D::out, true},
    {"_COM_Outptr_result_maybenull_", 0, R::parameter, S::outPointer, D::out, false},
    {"_Deref_out_", 0, R::parameter, S::outPointer, D::out, false},
    {"_Deref_out_opt_", 0, R::parameter, S::outPointer, D::out, false},
    {"_Outptr_result_z_", 0, R::parameter, S::outPointerText, D::out, false},
    {"_Outptr_opt_result_z_", 0, R::parameter, S::outPointerText, D::out, true},
    {"_Outptr_result_maybenull_z_", 0, R::parameter, S::outPointerText, D::out, false},
    {"_Outptr_opt_result_maybenull_z_", 0, R::parameter, S::outPointerText, D::out, true},
    {"_Deref_out_z_", 0, R::parameter, S::outPointerText, D::out, false},
    {"_Kept_", 0, R::any, S::kept, D::in, false},
    // Said for the reader or the analyser, nothing for the call.
    {"_Success_", -1, R::any, S::ignored, D::in, false},
    {"_Check_return_", 0, R::any, S::ignored, D::in, false},
    {"_Must_inspect_result_", 0, R::any, S::ignored, D::in, false},
    {"_Use_decl_annotations_", 0, R::any, S::ignored, D::in, false},
    {"_Printf_format_string_", 0, R::any, S::ignored, D::in, false},
    {"_In_range_", -1, R::any, S::ignored, D::in, false},
};
}  // namespace sal

const SalRule* salRule(std::string_view word) {
  for (const SalRule& rule : sal::kRules) {
    if (rule.name == word) return &rule;
  }
  return nullptr;
}

// An annotation as found in the text, before it meets its parameter's type.
struct SalItem {
  const SalRule* rule = nullptr;
  std::string text;  // as written, whitespace normalised: "_Out_writes_(n)"
  std::optional<SizeExpression> count, written;
  Token token;
};

// ---------------------------------------------------------------------------------------------
// Declarators: the C inside-out syntax as a list of steps applied to the base type

struct DeclaratorStep {
  enum class Kind { pointer, array, function };
  Kind kind = Kind::pointer;
  bool isConst = false;  // pointer: `* const`
  CallingConvention convention = CallingConvention::platformDefault;  // pointer: of its target
  uint64_t count = 0;       // array
  bool unsized = false;     // array: `[]`
  Signature* signature = nullptr;  // function: parameters filled, result filled when applied
};

struct Declarator {
  std::string name;
  Token start;
  std::vector<DeclaratorStep> steps;  // applied in order to the base type
  CallingConvention convention = CallingConvention::platformDefault;  // before the name
};

struct Specifiers {
  Token start;
  const Type* named = nullptr;  // a typedef name, struct, union or enum
  std::vector<TypeWord> words;
  bool isConst = false;
  bool isTypedef = false;
  CallingConvention convention = CallingConvention::platformDefault;
  std::vector<SalItem> annotations;

  bool hasType() const { return named || !words.empty(); }
};

// Nesting guard: parentheses, braces, structs and parameter lists all count.
class Nesting {
 public:
  Nesting(int& depth, const Token& token) : depth_(depth) {
    if (++depth_ > kMaxDeclarationNesting) {
      --depth_;
      failAt(token, "nesting deeper than " + std::to_string(kMaxDeclarationNesting) + " levels");
    }
  }
  ~Nesting() { --depth_; }
  Nesting(const Nesting&) = delete;
  Nesting& operator=(const Nesting&) = delete;

 private:
  int& depth_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The parser

class DeclarationParser {
 public:
  DeclarationParser(std::string_view text, const ParseOptions& options)
      : options_(options), store_(std::make_shared<TypeStore>()), tokens_(Lexer(text).tokenize()) {
    if (!options.base) {
      predefineTypes();
      return;
    }
    const Declarations& base = *options.base;
    store_->continues(base.store_);
    typedefs_ = {base.typedefs_.begin(), base.typedefs_.end()};
    tags_ = {base.tags_.begin(), base.tags_.end()};
    for (const auto& [tag, type] : base.tags_) inherited_.insert(type);
    constants_ = base.constants_;
    for (const auto& function : base.functions_) functions_.push_back(function.get());
    skipped_ = base.skipped_;
  }

  Declarations parse() {
    while (peek().kind != Token::Kind::end) {
      if (!options_.skipUnsupported) {
        parseExternalDeclaration();
        continue;
      }
      size_t start = position_;
      try {
        parseExternalDeclaration();
      } catch (const Error& error) {
        position_ = start;
        auto [name, isFunction] = nameOfDeclaration();
        skipped_.push_back({std::move(name), error.what(), isFunction});
        skipDeclaration();
      }
    }
    if (linkageBlocks_ > 0) failExpected("'}' closing extern \"C\" {");
    Declarations result;
    result.store_ = store_;
    for (const Signature* function : functions_) {
      result.functions_.push_back(std::shared_ptr<const Signature>(store_, function));
    }
    result.typedefs_ = {typedefs_.begin(), typedefs_.end()};
    result.tags_ = {tags_.begin(), tags_.end()};
    result.constants_ = constants_;
    result.skipped_ = std::move(skipped_);
    return result;
  }

 private:
  // --- tokens

  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(position_ + ahead, tokens_.size() - 1)];
  }
  const Token& take() {
    const Token& token = peek();
    if (position_ < tokens_.size() - 1) ++position_;
    return token;
  }
  bool accept(std::string_view punctuator) {
    if (!peek().is(punctuator)) return false;
    take();
    return true;
  }
  [[noreturn]] void failExpected(std::string_view expected) {
    failAt(peek(), "expected " + std::string(expected) + ", found " + describeToken(peek()));
  }
  const Token& expect(std::string_view punctuator) {
    if (!peek().is(punctuator)) failExpected("'" + std::string(punctuator) + "'");
    return take();
  }
  const Token& expectIdentifier(std::string_view what) {
    if (peek().kind != Token::Kind::identifier) failExpected(what);
    return take();
  }

  // --- types in the store

  const Type* add(Type type) {
    const Type* added = &store_->add(std::move(type));
    noteDepth(added, structuralDepth(*added));
    return added;
  }

  int depthOf(const Type* type) const {
    const void* key = type->kind == Type::Kind::record ? static_cast<const void*>(type->record)
                                                       : static_cast<const void*>(type);
    auto found = depths_.find(key);
    return found == depths_.end() ? 1 : found->second;
  }

  int structuralDepth(const Type& type) const {
    switch (type.kind) {
      case Type::Kind::pointer:
        // Equality and describe stop at a named struct: so does the depth.
        if (type.target->kind == Type::Kind::record && !type.target->record->tag.empty()) {
          return 2;
        }
        return 1 + depthOf(type.target);
      case Type::Kind::array: return 1 + depthOf(type.target);
      case Type::Kind::function: {
        int deepest = depthOf(type.signature->returnType);
        for (const Parameter& parameter : type.signature->parameters) {
          deepest = std::max(deepest, depthOf(parameter.type));
        }
        return 1 + deepest;
      }
      case Type::Kind::record: return depthOf(&type);
      default: return 1;
    }
  }

  void noteDepth(const void* key, int depth) {
    if (depth > kMaxDeclarationNesting) {
      failAt(peek(), "type nested deeper than " + std::to_string(kMaxDeclarationNesting) +
                         " levels");
    }
    depths_[key] = depth;
  }

  const Type* integer(std::string name, IntegerWidth width, bool isSigned,
                      Character character = Character::none) {
    Type type;
    type.kind = Type::Kind::integer;
    type.name = std::move(name);
    type.width = width;
    type.isSigned = isSigned;
    type.character = character;
    return add(std::move(type));
  }

  const Type* pointerTo(const Type* target, bool isConst = false) {
    Type type;
    type.kind = Type::Kind::pointer;
    type.target = target;
    type.isConst = isConst;
    return add(std::move(type));
  }

  const Type* constOf(const Type* type) {
    if (type->isConst) return type;
    Type copy = *type;
    copy.isConst = true;
    return add(std::move(copy));
  }

  const Type* renamed(const Type* type, std::string name) {
    Type copy = *type;
    copy.name = std::move(name);
    return add(std::move(copy));
  }

  // The keyword types, one node per spelling.
  const Type* keywordType(const std::string& name, const std::function<const Type*()>& make) {
    auto found = keywordTypes_.find(name);
    if (found != keywordTypes_.end()) return found->second;
    return keywordTypes_[name] = make();
  }

  void predefine(const std::string& name, const Type* type) { typedefs_[name] = type; }

  void predefineInteger(const std::string& name, IntegerWidth width, bool isSigned,
                        Character character = Character::none) {
    predefine(name, integer(name, width, isSigned, character));
  }

  void predefineHandle(const std::string& name, HandleKind kind) {
    Type type;
    type.kind = Type::Kind::handle;
    type.name = name;
    type.handle = kind;
    predefine(name, add(std::move(type)));
  }

  void predefinePointer(const std::string& name, const std::string& target, bool toConst) {
    const Type* pointee = typedefs_.at(target);
    predefine(name, renamed(pointerTo(toConst ? constOf(pointee) : pointee), name));
  }

  void predefineTypes() {
    using W = IntegerWidth;
    // <stdint.h>, <stddef.h>
    predefineInteger("int8_t", W::bits8, true);
    predefineInteger("uint8_t", W::bits8, false);
    predefineInteger("int16_t", W::bits16, true);
    predefineInteger("uint16_t", W::bits16, false);
    predefineInteger("int32_t", W::bits32, true);
    predefineInteger("uint32_t", W::bits32, false);
    predefineInteger("int64_t", W::bits64, true);
    predefineInteger("uint64_t", W::bits64, false);
    for (const char* name : {"intptr_t", "ptrdiff_t", "ssize_t"}) {
      predefineInteger(name, W::pointer, true);
    }
    for (const char* name : {"uintptr_t", "size_t"}) predefineInteger(name, W::pointer, false);
    // Windows: fixed sizes on every ABI, LONG and DWORD included (Windows long is 32 bits).
    for (const char* name : {"BYTE", "UCHAR", "BOOLEAN"}) predefineInteger(name, W::bits8, false);
    predefineInteger("CHAR", W::bits8, true, Character::narrow);
    for (const char* name : {"WORD", "USHORT", "ATOM"}) predefineInteger(name, W::bits16, false);
    predefineInteger("SHORT", W::bits16, true);
    predefineInteger("WCHAR", W::bits16, false, Character::wide);  // UTF-16 on every ABI
    for (const char* name : {"BOOL", "INT", "LONG", "HRESULT"}) {
      predefineInteger(name, W::bits32, true);
    }
    for (const char* name : {"DWORD", "UINT", "ULONG", "COLORREF"}) {
      predefineInteger(name, W::bits32, false);
    }
    predefineInteger("LONGLONG", W::bits64, true);
    for (const char* name : {"ULONGLONG", "DWORD64"}) predefineInteger(name, W::bits64, false);
    for (const char* name : {"LONG_PTR", "INT_PTR", "SSIZE_T", "LPARAM", "LRESULT"}) {
      predefineInteger(name, W::pointer, true);
    }
    for (const char* name : {"ULONG_PTR", "UINT_PTR", "DWORD_PTR", "SIZE_T", "WPARAM"}) {
      predefineInteger(name, W::pointer, false);
    }
    Type single;
    single.kind = Type::Kind::floating;
    single.floatBytes = 4;
    single.name = "FLOAT";
    predefine("FLOAT", add(single));
    Type twice = single;
    twice.floatBytes = 8;
    twice.name = "DOUBLE";
    predefine("DOUBLE", add(twice));
    for (const char* name : {"HWND", "HDC", "HBRUSH", "HPEN", "HFONT", "HBITMAP", "HICON",
                             "HMENU", "HGDIOBJ", "HRGN", "HPALETTE", "HCURSOR", "HMONITOR",
                             "HACCEL", "HHOOK"}) {
      predefineHandle(name, HandleKind::window);
    }
    for (const char* name : {"HANDLE", "HKEY", "HGLOBAL", "HLOCAL"}) {
      predefineHandle(name, HandleKind::kernel);
    }
    for (const char* name : {"HMODULE", "HINSTANCE"}) predefineHandle(name, HandleKind::module);
    predefineVoidAndPointers();
  }

  void predefineVoidAndPointers() {
    Type voidType;
    voidType.name = "void";
    predefine("VOID", renamed(add(voidType), "VOID"));
    const Type* plainVoid = add(voidType);
    predefine("LPVOID", renamed(pointerTo(plainVoid), "LPVOID"));
    predefine("PVOID", renamed(pointerTo(plainVoid), "PVOID"));
    predefine("LPCVOID", renamed(pointerTo(constOf(plainVoid)), "LPCVOID"));
    struct PointerName {
      const char* name;
      const char* target;
      bool toConst;
    };
    static constexpr PointerName kPointers[] = {
        {"LPSTR", "CHAR", false},     {"PSTR", "CHAR", false},     {"LPCSTR", "CHAR", true},
        {"PCSTR", "CHAR", true},      {"LPWSTR", "WCHAR", false},  {"PWSTR", "WCHAR", false},
        {"LPCWSTR", "WCHAR", true},   {"PCWSTR", "WCHAR", true},   {"LPDWORD", "DWORD", false},
        {"PDWORD", "DWORD", false},   {"LPBYTE", "BYTE", false},   {"PBYTE", "BYTE", false},
        {"LPBOOL", "BOOL", false},    {"PBOOL", "BOOL", false},    {"LPINT", "INT", false},
        {"PINT", "INT", false},       {"LPLONG", "LONG", false},   {"PLONG", "LONG", false},
        {"PULONG", "ULONG", false},   {"LPWORD", "WORD", false},   {"PWORD", "WORD", false},
        {"PHANDLE", "HANDLE", false}, {"LPHANDLE", "HANDLE", false}};
    for (const PointerName& pointer : kPointers) {
      predefinePointer(pointer.name, pointer.target, pointer.toConst);
    }
  }

  // --- top level

  void parseExternalDeclaration() {
    const Token& token = peek();
    if (token.is("#") && token.startsLine) return parseDirective();
    if (accept(";")) return;
    if (token.isIdentifier("__pragma")) return parsePragmaOperator();
    if (token.isIdentifier("extern") && peek(1).kind == Token::Kind::string) {
      return parseLinkage();
    }
    if (token.is("}")) {
      if (linkageBlocks_ == 0) failExpected("a declaration");
      take();
      --linkageBlocks_;
      return;
    }
    parseDeclaration();
  }

  // extern "C" { or extern "C" declaration: the linkage means nothing to a caller. A block's
  // declarations are read as the top level's, its '}' closes it there.
  void parseLinkage() {
    take();
    const Token& language = take();
    if (language.text != "\"C\"" && language.text != "\"C++\"") {
      failAt(language, "expected \"C\", found " + std::string(language.text));
    }
    if (!peek().is("{")) return parseDeclaration();
    if (linkageBlocks_ == kMaxDeclarationNesting) failAt(peek(), "extern blocks nested too deep");
    take();
    ++linkageBlocks_;
  }

  // --- passing over what a header declares that cannot be taken (ParseOptions::skipUnsupported)

  // From the first token of a declaration: to its ';' or, for a function's body, a namespace or
  // a class, its closing '}' (and a ';' after it). A '}' that closes an extern "C" block ends it
  // without being taken.
  void skipDeclaration() {
    bool isType = peek().isIdentifier("typedef") || peek().isIdentifier("struct") ||
                  peek().isIdentifier("union") || peek().isIdentifier("enum");
    size_t depth = 0;
    for (;;) {
      const Token& token = peek();
      if (token.kind == Token::Kind::end) return;
      if (depth == 0 && token.is("}") ) {
        if (linkageBlocks_ == 0) take();  // unbalanced: taken, or nothing would move on
        return;
      }
      take();
      if (token.is("{") || token.is("(") || token.is("[")) ++depth;
      if ((token.is("}") || token.is(")") || token.is("]")) && depth > 0) --depth;
      if (depth > 0) continue;
      if (token.is(";")) return;
      if (token.is("}") && !isType) {
        accept(";");
        return;
      }
    }
  }

  // What the declaration at the current token declares, for the report: the name before its
  // first '(' at the outermost level (a function), else the last name before its end.
  std::pair<std::string, bool> nameOfDeclaration() const {
    std::string_view last;
    size_t depth = 0;
    for (size_t i = position_; i < tokens_.size(); ++i) {
      const Token& token = tokens_[i];
      if (token.kind == Token::Kind::end || (depth == 0 && (token.is(";") || token.is("{")))) {
        break;
      }
      if (depth == 0 && token.is("(") && !last.empty() && !salRule(last) &&
          !tokens_[i - 1].isIdentifier("__attribute__") && !tokens_[i - 1].isIdentifier("__declspec")) {
        return {std::string(last), true};
      }
      if (token.is("(")) ++depth;
      if (token.is(")") && depth > 0) --depth;
      if (depth == 0 && token.kind == Token::Kind::identifier) last = token.text;
    }
    return {std::string(last), false};
  }

  void parseDeclaration() {
    Specifiers specifiers = parseSpecifiers(SalRole::result);
    if (accept(";")) {
      refuseUnusedAlignment(specifiers.start);
      if (!specifiers.hasType()) failAt(specifiers.start, "declaration declares nothing");
      return;  // a struct, union or enum on its own
    }
    const Type* base = baseType(specifiers);
    for (;;) {
      Declarator declarator = parseDeclarator(false);
      CallingConvention trailing = parseTrailingAttributes();
      if (trailing != CallingConvention::platformDefault) declarator.convention = trailing;
      if (peek().is(":")) failAt(peek(), "a bit-field outside a struct or union");
      CallingConvention convention = declarator.convention != CallingConvention::platformDefault
                                         ? declarator.convention
                                         : specifiers.convention;
      const Type* type = applySteps(declarator, base, convention);
      refuseUnusedAlignment(declarator.start);
      if (peek().is("{") && type->kind == Type::Kind::function) {
        failAt(peek(), "'" + declarator.name + "' is defined here, with a body: an inline or "
                       "static function, which no library exports");
      }
      declare(specifiers, declarator, type);
      // The last declaration may go without its ';', as on a command line.
      if (accept(";") || peek().kind == Token::Kind::end) return;
      if (!accept(",")) failExpected("',' or ';'");
    }
  }

  void declare(const Specifiers& specifiers, const Declarator& declarator, const Type* type) {
    if (specifiers.isTypedef) {
      if (!specifiers.annotations.empty()) {
        failAt(specifiers.annotations.front().token, "annotations on a typedef are not supported");
      }
      return defineTypedef(declarator, type);
    }
    if (type->kind != Type::Kind::function) {
      failAt(declarator.start, "'" + declarator.name + "' is a variable of type " +
                                   describe(*type) + ": only functions and types can be declared");
    }
    // A copy: the signature may be a typedef's, which must keep its own (empty) name.
    Signature& signature = store_->addSignature(*type->signature);
    signature.name = declarator.name;
    signature.returnAnnotation =
        resolveAnnotation(*signature.returnType, specifiers.annotations, SalRole::result);
    functions_.push_back(&signature);
  }

  void defineTypedef(const Declarator& declarator, const Type* type) {
    const Type* named = renamed(type, declarator.name);
    auto existing = typedefs_.find(declarator.name);
    // A predefined name may be redefined (a pasted header often brings its own); a declared one
    // only to the same type, as C11 allows.
    if (existing != typedefs_.end() && declaredTypedefs_.count(declarator.name) &&
        !(*existing->second == *named)) {
      failAt(declarator.start, "typedef '" + declarator.name + "' redefined as a different type");
    }
    typedefs_[declarator.name] = named;
    declaredTypedefs_.insert(declarator.name);
  }

  // --- preprocessor directives: one line each

  std::vector<Token> directiveLine() {
    std::vector<Token> line;
    while (peek().kind != Token::Kind::end && !peek().startsLine) line.push_back(take());
    return line;
  }

  void parseDirective() {
    const Token& hash = take();
    if (peek().startsLine || peek().kind != Token::Kind::identifier) {
      directiveLine();
      return;  // a lone # is a null directive
    }
    const Token& name = take();
    std::vector<Token> line = directiveLine();
    if (name.text == "pragma") return parsePragma(line);
    if (name.text == "define") return parseDefine(line);
    if (name.text == "undef") {
      if (!line.empty()) constants_.erase(std::string(line.front().text));
      return;
    }
    if (name.text == "include") return;
    static const std::set<std::string_view> kConditionals = {"if", "ifdef", "ifndef", "elif",
                                                             "else", "endif"};
    if (kConditionals.count(name.text)) {
      failAt(name, "preprocessor conditionals (#" + std::string(name.text) +
                       ") are not supported: give the declarations without them");
    }
    failAt(hash, "unsupported directive #" + std::string(name.text));
  }

  // __pragma(pack(...)), MSVC's operator form, which is also how the header preprocessor keeps a
  // #pragma pack in place: read as the directive.
  void parsePragmaOperator() {
    take();
    Nesting nesting(depth_, expect("("));
    std::vector<Token> line;
    size_t depth = 0;
    while (!(depth == 0 && peek().is(")"))) {
      if (peek().kind == Token::Kind::end) failExpected("')' closing __pragma(");
      if (peek().is("(")) ++depth;
      if (peek().is(")")) --depth;
      line.push_back(take());
    }
    take();
    parsePragma(line);
  }

  // #pragma pack(push, n), pack(n), pack(pop), pack(push), pack(); other pragmas mean nothing
  // to a caller.
  void parsePragma(const std::vector<Token>& line) {
    if (line.empty() || line[0].text != "pack") return;
    auto at = [&](size_t index) -> const Token& {
      static const Token kEnd;
      return index < line.size() ? line[index] : kEnd;
    };
    if (!at(1).is("(")) failAt(at(1), "expected '(' after #pragma pack");
    size_t index = 2;
    bool push = false;
    if (at(index).isIdentifier("push")) {
      push = true;
      index += at(index + 1).is(",") ? 2 : 1;
    } else if (at(index).isIdentifier("pop")) {
      if (!packStack_.empty()) {
        pack_ = packStack_.back();
        packStack_.pop_back();
      }
      if (!at(index + 1).is(")")) failAt(at(index + 1), "expected ')' after pop");
      return;
    }
    if (push) packStack_.push_back(pack_);
    if (at(index).is(")")) {
      if (!push) pack_ = 0;  // pack(): back to the default
      return;
    }
    pack_ = packValue(at(index));
    if (!at(index + 1).is(")")) failAt(at(index + 1), "expected ')' in #pragma pack");
  }

  uint32_t packValue(const Token& token) {
    if (token.kind == Token::Kind::number) {
      for (uint32_t value : {1u, 2u, 4u, 8u, 16u}) {
        if (token.text == std::to_string(value)) return value;
      }
    }
    failAt(token, "expected a pack of 1, 2, 4, 8 or 16, found " + describeToken(token));
  }

  // #define NAME <integer constant expression>. Anything else (a macro for a keyword, a
  // function-like macro) cannot be used here and is left undefined.
  void parseDefine(const std::vector<Token>& line) {
    if (line.size() < 2 || line[0].kind != Token::Kind::identifier) return;
    if (line[1].is("(") && line[1].column == line[0].column + line[0].text.size()) return;
    std::vector<Token> expression(line.begin() + 1, line.end());
    expression.push_back(Token{});  // the end
    std::swap(tokens_, expression);
    size_t saved = position_;
    position_ = 0;
    std::optional<int64_t> value;
    try {
      value = parseConstantExpression();
      if (peek().kind != Token::Kind::end) value.reset();
    } catch (const Error&) {
      value.reset();  // not an integer constant: not a #define this parser can use
    }
    std::swap(tokens_, expression);
    position_ = saved;
    if (value) constants_[std::string(line[0].text)] = *value;
  }

  // --- specifiers

  Specifiers parseSpecifiers(SalRole role) {
    Specifiers specifiers;
    specifiers.start = peek();
    while (parseSpecifier(specifiers, role)) {
    }
    return specifiers;
  }

  // One specifier, or false when the next token is not one.
  bool parseSpecifier(Specifiers& specifiers, SalRole role) {
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

  void setNamed(Specifiers& specifiers, const Type* type) {
    if (specifiers.hasType()) failAt(specifiers.start, "two types in one declaration");
    specifiers.named = type;
  }

  const Type* typedefName() {
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
  void skipDefaultArgument() {
    int depth = 0;
    while (!(depth == 0 && (peek().is(",") || peek().is(")")))) {
      if (peek().kind == Token::Kind::end) failExpected("')'");
      if (peek().is("(") || peek().is("{") || peek().is("[")) ++depth;
      if (peek().is(")") || peek().is("}") || peek().is("]")) --depth;
      take();
    }
  }

  void skipParenthesised() {
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
  void parseDeclspec() {
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

  uint32_t alignmentValue(const Token& token) {
    if (token.kind == Token::Kind::number) {
      int64_t value = integerLiteral(token);
      if (value > 0 && value <= 8192 && (value & (value - 1)) == 0) return uint32_t(value);
    }
    failAt(token, "expected an alignment (a power of two up to 8192), found " +
                      describeToken(token));
  }

  // An alignment given where no struct or union is defined (a field, a typedef of a type
  // defined before) is not taken: refused rather than laid out wrong.
  void refuseUnusedAlignment(const Token& at) {
    if (pendingAlign_ == 0) return;
    pendingAlign_ = 0;
    failAt(at, "an alignment (align / aligned) is taken only on a struct or union definition");
  }

  // __attribute__((a, b(c), ...)): packed sets *packed (refused where no struct is defined),
  // aligned(n) is kept as __declspec(align(n)) is, calling conventions are returned, attributes
  // that change a layout otherwise are refused, the rest (dllimport, nothrow, deprecated...)
  // mean nothing to a caller.
  CallingConvention parseAttribute(bool* packed) {
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

  CallingConvention parseTrailingAttributes() {
    CallingConvention convention = CallingConvention::platformDefault;
    while (peek().isIdentifier("__attribute__") || peek().isIdentifier("__attribute")) {
      CallingConvention found = parseAttribute(nullptr);
      if (found != CallingConvention::platformDefault) convention = found;
    }
    return convention;
  }

  const Type* baseType(const Specifiers& specifiers) {
    const Type* type = specifiers.named ? specifiers.named : keywordCombination(specifiers);
    return specifiers.isConst ? constOf(type) : type;
  }

  // int, unsigned long long, signed char...: the words in any order, as C allows.
  const Type* keywordCombination(const Specifiers& specifiers) {
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

  const Type* singleKindType(const Specifiers& specifiers, std::map<TypeWord, int>& count,
                             bool isUnsigned) {
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

  const Type* plainIntegerType(int longs, bool isShort, bool isUnsigned) {
    using W = IntegerWidth;
    std::string sign = isUnsigned ? "unsigned " : "";
    std::string name = isShort ? "short" : longs == 2 ? "long long" : longs == 1 ? "long" : "int";
    W width = isShort ? W::bits16 : longs == 2 ? W::bits64 : longs == 1 ? W::cLong : W::bits32;
    return keywordType(sign + name, [&] { return integer(sign + name, width, !isUnsigned); });
  }

  static Type voidNamed() {
    Type type;
    type.name = "void";
    return type;
  }
  static Type boolNamed() {
    Type type;
    type.kind = Type::Kind::boolean;
    type.name = "bool";
    return type;
  }
  static Type floating(uint32_t bytes) {
    Type type;
    type.kind = Type::Kind::floating;
    type.floatBytes = bytes;
    type.name = bytes == 4 ? "float" : "double";
    return type;
  }

  // --- SAL

  SalItem parseSal(const SalRule& rule, SalRole role) {
    SalItem item;
    item.rule = &rule;
    item.token = take();
    item.text = std::string(rule.name);
    if (rule.role != SalRole::any && rule.role != role) {
      static constexpr std::string_view kWhere[] = {"a parameter", "a function's result",
                                                    "a struct field"};
      failAt(item.token, std::string(rule.name) + " belongs on " +
                             std::string(kWhere[int(rule.role)]));
    }
    if (rule.sizes == -1) {
      if (peek().is("(")) skipParenthesised();
      return item;
    }
    if (rule.sizes == 0) return item;
    const Token& open = expect("(");
    Nesting nesting(depth_, open);
    item.count = parseSizeExpression();
    item.text += "(" + toString(*item.count);
    if (rule.sizes == 2) {
      expect(",");
      item.written = parseSizeExpression();
      item.text += ", " + toString(*item.written);
    }
    expect(")");
    item.text += ")";
    return item;
  }

  // size: term { (+|-) term }; term: factor { (*|/) factor }; factor: number | name | *name |
  // return | ( size ).
  SizeExpression parseSizeExpression() {
    SizeExpression left = parseSizeTerm();
    while (peek().is("+") || peek().is("-")) {
      auto op = take().is("+") ? SizeExpression::Op::add : SizeExpression::Op::subtract;
      left = SizeExpression{op, 0, {}, {std::move(left), parseSizeTerm()}};
    }
    return left;
  }

  SizeExpression parseSizeTerm() {
    SizeExpression left = parseSizeFactor();
    while (peek().is("*") || peek().is("/")) {
      auto op = take().is("*") ? SizeExpression::Op::multiply : SizeExpression::Op::divide;
      left = SizeExpression{op, 0, {}, {std::move(left), parseSizeFactor()}};
    }
    return left;
  }

  SizeExpression parseSizeFactor() {
    const Token& token = peek();
    if (token.is("(")) {
      Nesting nesting(depth_, take());
      SizeExpression inner = parseSizeExpression();
      expect(")");
      return inner;
    }
    if (token.kind == Token::Kind::number || token.kind == Token::Kind::character) {
      return SizeExpression{SizeExpression::Op::constant, integerLiteral(take()), {}, {}};
    }
    if (token.is("*")) {
      take();
      std::string name(expectIdentifier("a parameter name after '*'").text);
      return SizeExpression{SizeExpression::Op::dereference, 0, std::move(name), {}};
    }
    if (token.isIdentifier("return")) {
      take();
      return SizeExpression{SizeExpression::Op::returnValue, 0, {}, {}};
    }
    if (token.isIdentifier("sizeof")) {
      return SizeExpression{SizeExpression::Op::constant, parseSizeof(), {}, {}};
    }
    std::string name(expectIdentifier("a size").text);
    return SizeExpression{SizeExpression::Op::name, 0, std::move(name), {}};
  }

  int64_t integerLiteral(const Token& token) {
    Value value;
    try {
      value = parseLiteral(token.text);
    } catch (const Error&) {
      failAt(token, "bad number " + describeToken(token));
    }
    if (value.kind() == Value::Kind::signedInteger) return value.asInt64();
    if (value.kind() == Value::Kind::unsignedInteger &&
        value.asUint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
      return value.asInt64();
    }
    failAt(token, "expected an integer constant, found " + describeToken(token));
  }

  // Names in a size must be parameters (or fields); enumerators and #defines become numbers.
  void resolveSizeNames(SizeExpression& expression, const std::set<std::string>& members,
                        const Token& where, std::string_view memberKind) {
    for (SizeExpression& operand : expression.operands) {
      resolveSizeNames(operand, members, where, memberKind);
    }
    bool named = expression.op == SizeExpression::Op::name ||
                 expression.op == SizeExpression::Op::dereference;
    if (!named || members.count(expression.name)) return;
    auto constant = constants_.find(expression.name);
    if (expression.op == SizeExpression::Op::name && constant != constants_.end()) {
      expression = SizeExpression{SizeExpression::Op::constant, constant->second, {}, {}};
      return;
    }
    failAt(where, "the size names '" + expression.name + "', which is not a " +
                      std::string(memberKind));
  }

  // The annotation `items` give a value of `type`, on top of the type's defaults.
  Annotation resolveAnnotation(const Type& type, const std::vector<SalItem>& items,
                               SalRole role) {
    Annotation annotation = defaultAnnotation(type, role);
    const SalItem* sized = nullptr;
    for (const SalItem& item : items) {
      annotation.sal.push_back(item.text);
      SalShape shape = item.rule->shape;
      if (shape == SalShape::ignored) continue;
      if (shape == SalShape::kept) {
        annotation.kept = true;
        continue;
      }
      if (sized) failAt(item.token, item.text + " after " + sized->text + " on the same value");
      sized = &item;
      applySal(annotation, type, item, role);
    }
    return annotation;
  }

  void applySal(Annotation& annotation, const Type& type, const SalItem& item, SalRole role) {
    const SalRule& rule = *item.rule;
    bool plainIn = rule.shape == SalShape::pointee && rule.direction == Direction::in;
    bool isPointer = type.isPointer();
    if (!isPointer && !plainIn && !(role == SalRole::result && rule.shape == SalShape::pointee)) {
      failAt(item.token, item.text + " needs a pointer, and the type is " + describe(type));
    }
    if (role == SalRole::parameter) annotation.direction = rule.direction;
    annotation.optional = annotation.optional || rule.optional;
    switch (rule.shape) {
      case SalShape::pointee: break;  // the type's default transfer stands
      case SalShape::elements:
      case SalShape::bytes: {
        // Elements of void are bytes, as SAL reads them.
        bool bytes = rule.shape == SalShape::bytes || type.target->kind == Type::Kind::voidType;
        annotation.transfer = bytes ? Transfer::bytes : Transfer::elements;
        annotation.count = item.count;
        annotation.written = item.written;
        break;
      }
      case SalShape::outPointer:
      case SalShape::outPointerText: {
        const Type& target = *type.target;
        if (!(target.isPointer() || target.kind == Type::Kind::handle)) {
          failAt(item.token, item.text + " needs a pointer to a pointer, and the type is " +
                                 describe(type));
        }
        if (rule.shape == SalShape::outPointerText &&
            !(target.isPointer() && target.target->kind == Type::Kind::integer &&
              target.target->character != Character::none)) {
          failAt(item.token, item.text + " needs a pointer to a pointer to characters, and the "
                                         "type is " + describe(type));
        }
        annotation.transfer = Transfer::elements;
        annotation.count = SizeExpression{SizeExpression::Op::constant, 1, {}, {}};
        annotation.outPointer = true;
        annotation.outPointerText = rule.shape == SalShape::outPointerText;
        break;
      }
      case SalShape::string:
        if (type.target->kind != Type::Kind::integer) {
          failAt(item.token, item.text + " needs a pointer to characters, and the type is " +
                                 describe(type));
        }
        annotation.transfer = Transfer::string;
        annotation.count = item.count;
        break;
      default: break;
    }
  }

  // What a value of `type` means without annotations (see Annotation in c-types.h).
  static Annotation defaultAnnotation(const Type& type, SalRole role) {
    Annotation annotation;
    if (role == SalRole::result) annotation.direction = Direction::out;
    if (!type.isPointer()) return annotation;
    bool toConst = type.target->isConst;
    if (type.isFunctionPointer()) {
      annotation.transfer = Transfer::callback;
    } else if (type.isStringPointer()) {
      annotation.transfer = Transfer::string;
      if (role != SalRole::result) annotation.direction = toConst ? Direction::in : Direction::inout;
    } else if (type.isOpaquePointer() || role == SalRole::result) {
      annotation.transfer = Transfer::opaque;
    } else {
      annotation.transfer = Transfer::elements;
      annotation.count = SizeExpression{SizeExpression::Op::constant, 1, {}, {}};
      annotation.direction = toConst ? Direction::in : Direction::inout;
    }
    return annotation;
  }

  // --- struct, union, enum

  const Type* parseTagged() {
    const Token& keyword = take();
    if (keyword.text == "enum") return parseEnum(keyword);
    bool isUnion = keyword.text == "union";
    bool packed = false;
    while (peek().isIdentifier("__attribute__") || peek().isIdentifier("__attribute")) {
      parseAttribute(&packed);
    }
    while (peek().isIdentifier("__declspec")) parseDeclspec();
    std::string tag;
    if (peek().kind == Token::Kind::identifier) tag = std::string(take().text);
    if (!peek().is("{")) {
      if (tag.empty()) failExpected("a tag or '{'");
      if (packed) failAt(keyword, "packed applies to a struct or union definition");
      return taggedRecord(keyword, tag, isUnion);
    }
    Type* type = tag.empty() ? newRecord(isUnion, tag) : definableRecord(keyword, tag, isUnion);
    Record& record = *const_cast<Record*>(type->record);
    uint32_t alignment = std::exchange(pendingAlign_, 0);  // before the struct keyword or tag
    bool declspec = std::exchange(pendingAlignIsDeclspec_, false);
    parseFields(record);
    while (peek().isIdentifier("__attribute__") || peek().isIdentifier("__attribute")) {
      parseAttribute(&packed);
    }
    if (pendingAlign_ > alignment) declspec = pendingAlignIsDeclspec_;
    pendingAlignIsDeclspec_ = false;
    record.alignment = std::max(alignment, std::exchange(pendingAlign_, 0));
    record.alignmentIsDeclspec = record.alignment != 0 && declspec;
    record.isPacked = packed;
    record.pack = pack_;
    record.isComplete = true;
    checkRecordSize(*type, keyword);
    return type;
  }

  Type* newRecord(bool isUnion, const std::string& tag) {
    Record& record = store_->addRecord();
    record.isUnion = isUnion;
    record.tag = tag;
    Type type;
    type.kind = Type::Kind::record;
    type.record = &record;
    return const_cast<Type*>(add(std::move(type)));
  }

  // `struct P` used before (or without) its definition.
  const Type* taggedRecord(const Token& keyword, const std::string& tag, bool isUnion) {
    auto found = tags_.find(tag);
    if (found == tags_.end()) return tags_[tag] = newRecord(isUnion, tag);
    checkTagKind(keyword, *found->second, isUnion ? "union" : "struct");
    return found->second;
  }

  Type* definableRecord(const Token& keyword, const std::string& tag, bool isUnion) {
    const Type* found = taggedRecord(keyword, tag, isUnion);
    if (found->record->isComplete) {
      failAt(keyword, "redefinition of " + std::string(keyword.text) + " " + tag);
    }
    // The base's types are not ours to change (see ParseOptions::base).
    if (inherited_.count(found)) return const_cast<Type*>(tags_[tag] = newRecord(isUnion, tag));
    return const_cast<Type*>(found);
  }

  void checkTagKind(const Token& keyword, const Type& type, std::string_view wanted) {
    std::string_view actual = type.kind == Type::Kind::enumeration ? "enum"
                              : type.record->isUnion               ? "union"
                                                                   : "struct";
    if (actual != wanted) {
      failAt(keyword, "'" + describe(type) + "' used as " + std::string(wanted));
    }
  }

  void parseFields(Record& record) {
    Nesting nesting(depth_, expect("{"));
    std::set<std::string> names;
    std::vector<Token> starts;  // of each field, for errors in their sizes
    while (!accept("}")) {
      if (peek().kind == Token::Kind::end) failExpected("'}'");
      if (peek().isIdentifier("__pragma")) {
        parsePragmaOperator();
        continue;
      }
      parseFieldDeclaration(record, names, starts);
    }
    if (record.fields.empty()) failAt(peek(), "empty struct or union");
    resolveFieldSizes(record, names, starts);
    int deepest = 0;
    for (const Field& field : record.fields) deepest = std::max(deepest, depthOf(field.type));
    noteDepth(&record, deepest + 1);
  }

  void parseFieldDeclaration(Record& record, std::set<std::string>& names,
                             std::vector<Token>& starts) {
    Specifiers specifiers = parseSpecifiers(SalRole::field);
    if (specifiers.isTypedef) failAt(specifiers.start, "typedef inside a struct");
    const Type* base = baseType(specifiers);
    if (accept(";")) {
      // C11 anonymous struct or union member; anything else declares nothing.
      if (base->kind != Type::Kind::record || !base->record->tag.empty()) {
        failAt(specifiers.start, "field without a name");
      }
      record.fields.push_back(Field{"", base, {}, std::nullopt});
      starts.push_back(specifiers.start);
      return;
    }
    for (;;) {
      // `int : 3;` and `int : 0;` have no name.
      Declarator declarator;
      declarator.start = peek();
      if (!peek().is(":")) declarator = parseDeclarator(false);
      std::optional<uint32_t> bitWidth;
      if (accept(":")) bitWidth = parseBitWidth(declarator);
      parseTrailingAttributes();
      refuseUnusedAlignment(declarator.start);
      const Type* type = applySteps(declarator, base, specifiers.convention);
      checkFieldType(declarator, *type);
      if (bitWidth) checkBitField(declarator, *type, *bitWidth);
      if (!declarator.name.empty() && !names.insert(declarator.name).second) {
        failAt(declarator.start, "duplicate field '" + declarator.name + "'");
      }
      Annotation annotation = resolveAnnotation(*type, specifiers.annotations, SalRole::field);
      record.fields.push_back(Field{declarator.name, type, std::move(annotation), bitWidth});
      starts.push_back(declarator.start);
      if (accept(";")) return;
      if (!accept(",")) failExpected("',' or ';'");
    }
  }

  static std::string bitFieldName(const Declarator& declarator) {
    return declarator.name.empty() ? "an unnamed bit-field" : "bit-field '" + declarator.name + "'";
  }

  uint32_t parseBitWidth(const Declarator& declarator) {
    Token at = peek();
    int64_t width = parseConstantExpression();
    std::string what = bitFieldName(declarator);
    if (width < 0 || width > 64) {
      failAt(at, what + " is " + std::to_string(width) + " bits wide; expected 0 to 64");
    }
    if (width == 0 && !declarator.name.empty()) {
      failAt(at, what + " has zero width: only an unnamed bit-field may (`int : 0;`)");
    }
    return uint32_t(width);
  }

  // Integers, enumerations and bool; whether the width fits the type is the layout's to say,
  // as `long` is 32 bits in one ABI and 64 in another.
  void checkBitField(const Declarator& declarator, const Type& type, uint32_t width) {
    bool integral = type.kind == Type::Kind::integer || type.kind == Type::Kind::enumeration ||
                    type.kind == Type::Kind::boolean;
    std::string what = bitFieldName(declarator);
    if (!integral) {
      failAt(declarator.start, what + " has the type " + describe(type) +
                                   ": a bit-field is an integer, an enumeration or bool");
    }
    if (type.kind == Type::Kind::boolean && width > 1) {
      failAt(declarator.start, what + " is " + std::to_string(width) +
                                   " bits wide, wider than bool (1 bit)");
    }
  }

  void checkFieldType(const Declarator& declarator, const Type& type) {
    std::string what = declarator.name.empty() ? std::string("an unnamed field")
                                               : "field '" + declarator.name + "'";
    if (type.kind == Type::Kind::function) failAt(declarator.start, what + " is a function");
    if (type.kind == Type::Kind::voidType) failAt(declarator.start, what + " is void");
    if (type.kind == Type::Kind::record && !type.record->isComplete) {
      failAt(declarator.start, what + " has the incomplete type " + describe(type));
    }
    if (type.kind == Type::Kind::array && type.count == 0) {
      failAt(declarator.start, what + " is an array without a size (flexible array members "
                                      "are not supported)");
    }
  }

  void resolveFieldSizes(Record& record, const std::set<std::string>& names,
                         const std::vector<Token>& starts) {
    for (size_t i = 0; i < record.fields.size(); ++i) {
      Annotation& annotation = record.fields[i].annotation;
      if (annotation.count) resolveSizeNames(*annotation.count, names, starts[i], "field");
      if (annotation.written) resolveSizeNames(*annotation.written, names, starts[i], "field");
    }
  }

  // Refuses a struct too large in any ABI now, with a position, rather than at a call.
  // Without an ABI, it must fit every ABI.
  void checkRecordSize(const Type& type, const Token& where) {
    std::vector<Abi> abis = {Abi::win32, Abi::win64, Abi::sysvI386, Abi::sysvX64};
    if (options_.abi) abis = {*options_.abi};
    for (Abi abi : abis) {
      try {
        layoutOf(type, abi);
      } catch (const Error& error) {
        failAt(where, error.message());
      }
    }
  }

  const Type* parseEnum(const Token& keyword) {
    std::string tag;
    if (peek().kind == Token::Kind::identifier) tag = std::string(take().text);
    if (!peek().is("{")) {
      if (tag.empty()) failExpected("a tag or '{'");
      auto found = tags_.find(tag);
      if (found == tags_.end()) failAt(keyword, "unknown enum '" + tag + "'");
      checkTagKind(keyword, *found->second, "enum");
      return found->second;
    }
    if (!tag.empty() && tags_.count(tag)) failAt(keyword, "redefinition of enum " + tag);
    Enumeration& enumeration = store_->addEnumeration();
    enumeration.tag = tag;
    parseEnumerators(enumeration);
    Type type;
    type.kind = Type::Kind::enumeration;
    type.enumeration = &enumeration;
    const Type* added = add(std::move(type));
    if (!tag.empty()) tags_[tag] = added;
    return added;
  }

  void parseEnumerators(Enumeration& enumeration) {
    Nesting nesting(depth_, expect("{"));
    int64_t next = 0;
    while (!accept("}")) {
      const Token& name = expectIdentifier("an enumerator name");
      int64_t value = next;
      if (accept("=")) value = parseConstantExpression();
      // Enumerators are int-sized: GCC makes an enum unsigned when it needs the top bit.
      if (value < std::numeric_limits<int32_t>::min() ||
          value > int64_t(std::numeric_limits<uint32_t>::max())) {
        failAt(name, "enumerator '" + std::string(name.text) + "' = " + std::to_string(value) +
                         " does not fit in an int");
      }
      std::string key(name.text);
      if (constants_.count(key)) failAt(name, "redefinition of '" + key + "'");
      constants_[key] = value;
      enumeration.constants.push_back({key, value});
      next = value + 1;
      if (!accept(",")) {
        expect("}");
        break;
      }
    }
    if (enumeration.constants.empty()) failAt(peek(), "empty enum");
  }

  // --- declarators

  // At '(': a nested declarator such as (*p) or (CALLBACK *p), rather than a parameter list.
  bool startsNestedDeclarator() const {
    const Token& next = peek(1);
    if (next.is("*") || next.is("(") || next.is("[")) return true;
    if (next.kind != Token::Kind::identifier) return false;
    if (conventionWord(next.text) || next.text == "__attribute__" || isNoise(next.text)) {
      return true;
    }
    bool typeLike = typeWord(next.text) || typedefs_.count(next.text) || salRule(next.text) ||
                    isConstWord(next.text) || next.text == "struct" || next.text == "union" ||
                    next.text == "enum";
    return !typeLike;
  }

  Declarator parseDeclarator(bool abstract) {
    Declarator declarator;
    declarator.start = peek();
    std::vector<DeclaratorStep> pointers = parsePointers(declarator.convention);
    std::vector<DeclaratorStep> inner;
    if (peek().is("(") && startsNestedDeclarator()) {
      Nesting nesting(depth_, take());
      Declarator nested = parseDeclarator(abstract);
      expect(")");
      declarator.name = std::move(nested.name);
      inner = std::move(nested.steps);
    } else if (peek().kind == Token::Kind::identifier) {
      declarator.start = peek();
      declarator.name = std::string(take().text);
    } else if (!abstract) {
      failExpected("a name");
    }
    skipNoise();
    std::vector<DeclaratorStep> suffixes = parseSuffixes();
    skipNoise();  // OPTIONAL after the name, as old Windows headers write it
    declarator.steps = std::move(pointers);
    declarator.steps.insert(declarator.steps.end(), suffixes.rbegin(), suffixes.rend());
    declarator.steps.insert(declarator.steps.end(), inner.begin(), inner.end());
    return declarator;
  }

  void skipNoise() {
    while (peek().kind == Token::Kind::identifier && isNoise(peek().text)) take();
  }

  // `* const`, `__stdcall *`...: a convention before a '*' belongs to what it points at; one
  // after the last '*' to the function being declared.
  std::vector<DeclaratorStep> parsePointers(CallingConvention& beforeName) {
    std::vector<DeclaratorStep> pointers;
    CallingConvention pending = CallingConvention::platformDefault;
    for (;;) {
      const Token& token = peek();
      if (token.kind == Token::Kind::identifier && conventionWord(token.text)) {
        pending = *conventionWord(take().text);
      } else if (token.isIdentifier("__attribute__") || token.isIdentifier("__attribute")) {
        CallingConvention found = parseAttribute(nullptr);
        if (found != CallingConvention::platformDefault) pending = found;
      } else if (token.kind == Token::Kind::identifier && isNoise(token.text)) {
        take();
      } else if (token.is("*")) {
        take();
        DeclaratorStep step;
        step.convention = pending;
        pending = CallingConvention::platformDefault;
        step.isConst = parsePointerQualifiers();
        pointers.push_back(step);
      } else {
        break;
      }
    }
    beforeName = pending;
    return pointers;
  }

  bool parsePointerQualifiers() {
    bool isConst = false;
    while (peek().kind == Token::Kind::identifier &&
           (isConstWord(peek().text) || isNoise(peek().text))) {
      isConst = isConstWord(take().text) || isConst;
    }
    return isConst;
  }

  std::vector<DeclaratorStep> parseSuffixes() {
    std::vector<DeclaratorStep> suffixes;
    for (;;) {
      if (peek().is("[")) {
        suffixes.push_back(parseArraySuffix());
      } else if (peek().is("(")) {
        DeclaratorStep step;
        step.kind = DeclaratorStep::Kind::function;
        step.signature = parseParameterList();
        suffixes.push_back(step);
      } else {
        return suffixes;
      }
    }
  }

  DeclaratorStep parseArraySuffix() {
    const Token& open = take();
    DeclaratorStep step;
    step.kind = DeclaratorStep::Kind::array;
    if (accept("]")) {
      step.unsized = true;
      return step;
    }
    int64_t count = parseConstantExpression();
    if (count <= 0) failAt(open, "array size " + std::to_string(count) + " is not positive");
    step.count = uint64_t(count);
    expect("]");
    return step;
  }

  Signature* parseParameterList() {
    Nesting nesting(depth_, expect("("));
    Signature& signature = store_->addSignature({});
    std::vector<Token> starts;
    while (!accept(")")) {
      if (accept("...")) {
        signature.isVariadic = true;
        expect(")");
        break;
      }
      starts.push_back(peek());
      signature.parameters.push_back(parseParameter());
      if (accept("=")) skipDefaultArgument();
      if (!peek().is(")") && !accept(",")) failExpected("',' or ')'");
    }
    // (void), or (VOID) as Windows headers write it: no parameters.
    bool onlyVoid = signature.parameters.size() == 1 && !signature.isVariadic &&
                    signature.parameters[0].name.empty() &&
                    signature.parameters[0].type->kind == Type::Kind::voidType;
    if (onlyVoid) signature.parameters.clear();
    for (size_t i = 0; i < signature.parameters.size(); ++i) {
      if (signature.parameters[i].type->kind == Type::Kind::voidType) {
        failAt(starts[i], "a parameter cannot be void");
      }
    }
    resolveParameterSizes(signature, starts);
    return &signature;
  }

  Parameter parseParameter() {
    Specifiers specifiers = parseSpecifiers(SalRole::parameter);
    if (specifiers.isTypedef) failAt(specifiers.start, "typedef in a parameter list");
    const Type* base = baseType(specifiers);
    Declarator declarator = parseDeclarator(true);
    refuseUnusedAlignment(specifiers.start);
    const Type* type = applySteps(declarator, base, specifiers.convention);
    type = adjustParameterType(type);
    Annotation annotation = resolveAnnotation(*type, specifiers.annotations, SalRole::parameter);
    return Parameter{declarator.name, type, std::move(annotation)};
  }

  // Parameters of array or function type are pointers in C.
  const Type* adjustParameterType(const Type* type) {
    if (type->kind == Type::Kind::array) return pointerTo(type->target, type->isConst);
    if (type->kind == Type::Kind::function) return pointerTo(type);
    return type;
  }

  void resolveParameterSizes(Signature& signature, const std::vector<Token>& starts) {
    std::set<std::string> names;
    for (const Parameter& parameter : signature.parameters) {
      if (!parameter.name.empty()) names.insert(parameter.name);
    }
    for (size_t i = 0; i < signature.parameters.size(); ++i) {
      Annotation& annotation = signature.parameters[i].annotation;
      if (annotation.count) resolveSizeNames(*annotation.count, names, starts[i], "parameter");
      if (annotation.written) {
        resolveSizeNames(*annotation.written, names, starts[i], "parameter");
      }
    }
  }

  // The declarator's steps applied to `base`, innermost first. `convention` is the declared
  // function's (written before the name or among the specifiers).
  const Type* applySteps(const Declarator& declarator, const Type* base,
                         CallingConvention convention) {
    const Type* type = base;
    Signature* lastFunction = nullptr;  // the function made by the last step, if it made one
    for (const DeclaratorStep& step : declarator.steps) {
      switch (step.kind) {
        case DeclaratorStep::Kind::pointer:
          if (lastFunction && step.convention != CallingConvention::platformDefault) {
            lastFunction->convention = step.convention;
          }
          lastFunction = nullptr;
          type = pointerTo(type, step.isConst);
          break;
        case DeclaratorStep::Kind::array:
          type = arrayOf(type, step, declarator);
          lastFunction = nullptr;
          break;
        case DeclaratorStep::Kind::function:
          if (type->kind == Type::Kind::array || type->kind == Type::Kind::function) {
            failAt(declarator.start, "a function cannot return " + describe(*type));
          }
          lastFunction = step.signature;
          lastFunction->returnType = type;
          lastFunction->returnAnnotation = defaultAnnotation(*type, SalRole::result);
          type = functionType(*lastFunction);
          break;
      }
    }
    // The function the declaration itself declares gets the outer convention.
    if (lastFunction && convention != CallingConvention::platformDefault) {
      lastFunction->convention = convention;
    }
    return type;
  }

  const Type* arrayOf(const Type* element, const DeclaratorStep& step,
                      const Declarator& declarator) {
    if (element->kind == Type::Kind::voidType || element->kind == Type::Kind::function) {
      failAt(declarator.start, "an array of " + describe(*element));
    }
    Type type;
    type.kind = Type::Kind::array;
    type.target = element;
    type.count = step.unsized ? 0 : step.count;
    return add(std::move(type));
  }

  const Type* functionType(const Signature& signature) {
    Type type;
    type.kind = Type::Kind::function;
    type.signature = &signature;
    return add(std::move(type));
  }

  // --- integer constant expressions: array sizes, enumerators, #define

  int64_t parseConstantExpression() { return parseBinary(0); }

  // Precedence climbing over C's integer operators, lowest first.
  int64_t parseBinary(int level) {
    static const std::vector<std::vector<std::string_view>> kLevels = {
        {"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}};
    if (level == int(kLevels.size())) return parseUnary();
    int64_t left = parseBinary(level + 1);
    for (;;) {
      const auto& operators = kLevels[size_t(level)];
      auto op = std::find_if(operators.begin(), operators.end(),
                             [&](std::string_view o) { return peek().is(o); });
      if (op == operators.end()) return left;
      const Token& token = take();
      left = applyBinary(token, left, parseBinary(level + 1));
    }
  }

  int64_t applyBinary(const Token& token, int64_t a, int64_t b) {
    try {
      std::string_view op = token.text;
      SizeLookup none = [](std::string_view, bool) -> int64_t { return 0; };
      auto arithmetic = [&](SizeExpression::Op kind) {
        SizeExpression e{kind, 0, {}, {{SizeExpression::Op::constant, a, {}, {}},
                                       {SizeExpression::Op::constant, b, {}, {}}}};
        return evaluate(e, none);
      };
      if (op == "+") return arithmetic(SizeExpression::Op::add);
      if (op == "-") return arithmetic(SizeExpression::Op::subtract);
      if (op == "*") return arithmetic(SizeExpression::Op::multiply);
      if (op == "/") return arithmetic(SizeExpression::Op::divide);
      if (op == "%") {
        if (b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::min())) {
          failAt(token, "bad remainder");
        }
        return a % b;
      }
      if (op == "<<" || op == ">>") {
        if (b < 0 || b > 62 || a < 0) failAt(token, "shift out of range");
        if (op == ">>") return a >> b;
        if (a > (std::numeric_limits<int64_t>::max() >> b)) failAt(token, "shift overflows");
        return a << b;
      }
      if (op == "&") return a & b;
      if (op == "|") return a | b;
      return a ^ b;
    } catch (const Error& error) {
      if (error.message().rfind("line ", 0) == 0) throw;
      failAt(token, error.message());
    }
  }

  // sizeof(type name), in the ABI of the library the text is read for (ParseOptions::abi).
  int64_t parseSizeof() {
    const Token& keyword = take();
    Nesting nesting(depth_, expect("("));
    Specifiers specifiers = parseSpecifiers(SalRole::parameter);
    const Type* base = baseType(specifiers);
    Declarator declarator = parseDeclarator(true);
    if (!declarator.name.empty()) failAt(declarator.start, "sizeof takes a type name here");
    const Type* type = applySteps(declarator, base, specifiers.convention);
    expect(")");
    if (!options_.abi) {
      failAt(keyword, "sizeof needs the ABI of the library the declarations are for: give them "
                      "to a Library (or bridge32 call/header), which knows it");
    }
    return int64_t(layoutOf(*type, *options_.abi).size);
  }

  int64_t parseUnary() {
    const Token& token = peek();
    if (token.is("-") || token.is("+") || token.is("~") || token.is("!")) {
      take();
      Nesting nesting(depth_, token);
      int64_t value = parseUnary();
      if (token.is("-")) {
        if (value == std::numeric_limits<int64_t>::min()) failAt(token, "negation overflows");
        return -value;
      }
      if (token.is("~")) return ~value;
      if (token.is("!")) return !value;
      return value;
    }
    if (token.is("(")) {
      Nesting nesting(depth_, take());
      int64_t value = parseConstantExpression();
      expect(")");
      return value;
    }
    if (token.isIdentifier("sizeof")) return parseSizeof();
    if (token.kind == Token::Kind::number || token.kind == Token::Kind::character) {
      return integerLiteral(take());
    }
    if (token.kind == Token::Kind::identifier) {
      auto found = constants_.find(token.text);
      if (found == constants_.end()) {
        failAt(token, "unknown constant '" + std::string(token.text) + "'");
      }
      take();
      return found->second;
    }
    failExpected("an integer constant");
  }

  const ParseOptions& options_;
  uint32_t pendingAlign_ = 0;  // an alignment read, for the struct or union being defined
  bool pendingAlignIsDeclspec_ = false;  // ... spelled __declspec(align(n))
  std::shared_ptr<TypeStore> store_;
  std::vector<Token> tokens_;
  std::vector<SkippedDeclaration> skipped_;
  int linkageBlocks_ = 0;  // extern "C" { blocks open
  size_t position_ = 0;
  int depth_ = 0;
  std::map<std::string, const Type*, std::less<>> typedefs_;
  std::set<std::string> declaredTypedefs_;
  std::map<std::string, const Type*, std::less<>> keywordTypes_;
  std::map<std::string, const Type*, std::less<>> tags_;
  std::set<const Type*> inherited_;  // tags of ParseOptions::base
  std::map<std::string, int64_t, std::less<>> constants_;
  std::vector<const Signature*> functions_;
  uint32_t pack_ = 0;
  std::vector<uint32_t> packStack_;
  // How deep each derived type and record is: bounded so that describe, == and layoutOf, which
  // recurse, cannot exhaust the stack however the types were built up (typedef by typedef).
  std::map<const void*, int> depths_;
};

Declarations parseDeclarations(std::string_view text) { return parseDeclarations(text, {}); }

Declarations parseDeclarations(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.maxTextBytes) {
    throw Error(Error::Kind::invalidArgument,
                "declarations of " + std::to_string(text.size()) + " bytes: more than the " +
                    std::to_string(options.maxTextBytes >> 20) + " MiB limit");
  }
  // Messages name the files the text came from, for as long as this thread parses it.
  struct Sources {
    explicit Sources(const SourceLines* sources) : saved(tSources) { tSources = sources; }
    ~Sources() { tSources = saved; }
    const SourceLines* saved;
  } sources(options.sources);
  return DeclarationParser(text, options).parse();
}

std::vector<std::string_view> annotationNames() {
  std::vector<std::string_view> names;
  for (const SalRule& rule : sal::kRules) names.push_back(rule.name);
  return names;
}

std::string SourceLines::describe(uint32_t textLine) const {
  if (textLine == 0 || textLine > lines.size() || lines[textLine - 1].file >= files.size()) {
    return "";
  }
  const Line& line = lines[textLine - 1];
  return files[line.file] + ":" + std::to_string(line.line) + ": ";
}

// ---------------------------------------------------------------------------------------------
// Declarations

std::shared_ptr<const Type> Declarations::share(const Type* type) const {
  if (!type) return nullptr;
  return std::shared_ptr<const Type>(store_, type);
}

std::shared_ptr<const Signature> Declarations::function() const {
  if (functions_.empty()) {
    throw Error(Error::Kind::invalidArgument, "the declarations declare no function");
  }
  return functions_.back();
}

std::shared_ptr<const Signature> Declarations::findFunction(std::string_view name) const {
  for (auto it = functions_.rbegin(); it != functions_.rend(); ++it) {
    if ((*it)->name == name) return *it;
  }
  return nullptr;
}

std::shared_ptr<const Type> Declarations::findType(std::string_view name) const {
  auto found = typedefs_.find(name);
  return found == typedefs_.end() ? nullptr : share(found->second);
}

std::shared_ptr<const Type> Declarations::findTag(std::string_view tag) const {
  auto found = tags_.find(tag);
  return found == tags_.end() ? nullptr : share(found->second);
}

std::optional<int64_t> Declarations::findConstant(std::string_view name) const {
  auto found = constants_.find(name);
  if (found == constants_.end()) return std::nullopt;
  return found->second;
}

namespace {

bool sameTypes(const std::map<std::string, const Type*, std::less<>>& a,
               const std::map<std::string, const Type*, std::less<>>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.first == y.first && *x.second == *y.second;
  });
}

}  // namespace

bool operator==(const Declarations& a, const Declarations& b) {
  bool sameFunctions = std::equal(a.functions_.begin(), a.functions_.end(),
                                  b.functions_.begin(), b.functions_.end(),
                                  [](const auto& x, const auto& y) { return *x == *y; });
  return sameFunctions && sameTypes(a.typedefs_, b.typedefs_) && sameTypes(a.tags_, b.tags_) &&
         a.constants_ == b.constants_;
}

}  // namespace bridge32::library
