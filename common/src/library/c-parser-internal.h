// What the parts of the C declaration parser share, and nothing outside them includes: tokens,
// the words and SAL rules specifiers are read from, declarators as steps, and the parser class
// itself, whose members are defined part by part (the file of each part is named at its
// section below).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "library/c-parser.h"

namespace bridge32::library {

// ---------------------------------------------------------------------------------------------
// Tokens (c-parser-tokens.c++)

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

// Where the text being parsed came from, when it came from files (ParseOptions::sources): set
// by parseDeclarations for as long as this thread parses.
extern thread_local const SourceLines* tSources;

// "file.h:12: " or "line L, column C: ", how every message starts.
std::string position(uint32_t line, uint32_t column);
// Throws Error(invalidArgument) with the token's position.
[[noreturn]] void failAt(const Token& token, const std::string& message);
// How a token reads in "found X".
std::string describeToken(const Token& token);
// The whole text as tokens, the last one Kind::end; throws at a character C has no token for.
std::vector<Token> tokenize(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Words with a meaning in specifiers (c-parser-specifiers.c++)

// Macros and keywords that do not change the type or the call here.
bool isNoise(std::string_view word);
// const, or CONST as Windows headers write it.
bool isConstWord(std::string_view word);
// __stdcall, WINAPI, CALLBACK...: the convention a word names, if it names one.
std::optional<CallingConvention> conventionWord(std::string_view word);

// The keywords a built-in type is combined from (`unsigned long long`).
enum class TypeWord { voidWord, boolWord, charWord, wcharWord, shortWord, intWord, longWord,
                      signedWord, unsignedWord, floatWord, doubleWord, int8, int16, int32, int64 };
std::optional<TypeWord> typeWord(std::string_view word);

// ---------------------------------------------------------------------------------------------
// SAL annotations (c-parser-sal.c++)

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

// The rule of an annotation word (sal::kRules), or null for any other word.
const SalRule* salRule(std::string_view word);

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

// ---------------------------------------------------------------------------------------------
// The parser

// Reads one text into a Declarations. The members are defined in the file each section names.
class DeclarationParser {
 public:
  DeclarationParser(std::string_view text, const ParseOptions& options);
  Declarations parse();

 private:
  // --- tokens (here: every part reads through them)

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

  // --- types in the store, predefined types (c-parser-types.c++)

  const Type* add(Type type);
  int depthOf(const Type* type) const;
  int structuralDepth(const Type& type) const;
  void noteDepth(const void* key, int depth);
  const Type* integer(std::string name, IntegerWidth width, bool isSigned,
                      Character character = Character::none);
  const Type* pointerTo(const Type* target, bool isConst = false);
  const Type* constOf(const Type* type);
  const Type* renamed(const Type* type, std::string name);
  const Type* keywordType(const std::string& name, const std::function<const Type*()>& make);
  void predefine(const std::string& name, const Type* type);
  void predefineInteger(const std::string& name, IntegerWidth width, bool isSigned,
                        Character character = Character::none);
  void predefineHandle(const std::string& name, HandleKind kind);
  void predefinePointer(const std::string& name, const std::string& target, bool toConst);
  void predefineTypes();
  void predefineVoidAndPointers();

  // --- top level, passing over what cannot be taken (c-parser.c++)

  void parseExternalDeclaration();
  void parseLinkage();
  void parseDeclaration();
  void declare(const Specifiers& specifiers, const Declarator& declarator, const Type* type);
  void defineTypedef(const Declarator& declarator, const Type* type);
  void skipDeclaration();
  std::pair<std::string, bool> nameOfDeclaration() const;

  // --- preprocessor directives: one line each (c-parser.c++)

  std::vector<Token> directiveLine();
  void parseDirective();
  void parsePragmaOperator();
  void parsePragma(const std::vector<Token>& line);
  uint32_t packValue(const Token& token);
  void parseDefine(const std::vector<Token>& line);

  // --- specifiers (c-parser-specifiers.c++)

  Specifiers parseSpecifiers(SalRole role);
  bool parseSpecifier(Specifiers& specifiers, SalRole role);
  void setNamed(Specifiers& specifiers, const Type* type);
  const Type* typedefName();
  void skipDefaultArgument();
  void skipParenthesised();
  void parseDeclspec();
  uint32_t alignmentValue(const Token& token);
  void refuseUnusedAlignment(const Token& at);
  CallingConvention parseAttribute(bool* packed);
  CallingConvention parseTrailingAttributes();
  const Type* baseType(const Specifiers& specifiers);
  const Type* keywordCombination(const Specifiers& specifiers);
  const Type* singleKindType(const Specifiers& specifiers, std::map<TypeWord, int>& count,
                             bool isUnsigned);
  const Type* plainIntegerType(int longs, bool isShort, bool isUnsigned);
  static Type voidNamed();
  static Type boolNamed();
  static Type floating(uint32_t bytes);

  // --- SAL (c-parser-sal.c++)

  SalItem parseSal(const SalRule& rule, SalRole role);
  SizeExpression parseSizeExpression();
  SizeExpression parseSizeTerm();
  SizeExpression parseSizeFactor();
  void resolveSizeNames(SizeExpression& expression, const std::set<std::string>& members,
                        const Token& where, std::string_view memberKind);
  Annotation resolveAnnotation(const Type& type, const std::vector<SalItem>& items,
                               SalRole role);
  void applySal(Annotation& annotation, const Type& type, const SalItem& item, SalRole role);
  static Annotation defaultAnnotation(const Type& type, SalRole role);

  // --- struct, union, enum (c-parser-records.c++)

  const Type* parseTagged();
  Type* newRecord(bool isUnion, const std::string& tag);
  const Type* taggedRecord(const Token& keyword, const std::string& tag, bool isUnion);
  Type* definableRecord(const Token& keyword, const std::string& tag, bool isUnion);
  void checkTagKind(const Token& keyword, const Type& type, std::string_view wanted);
  void parseFields(Record& record);
  void parseFieldDeclaration(Record& record, std::set<std::string>& names,
                             std::vector<Token>& starts);
  static std::string bitFieldName(const Declarator& declarator);
  uint32_t parseBitWidth(const Declarator& declarator);
  void checkBitField(const Declarator& declarator, const Type& type, uint32_t width);
  void checkFieldType(const Declarator& declarator, const Type& type);
  void resolveFieldSizes(Record& record, const std::set<std::string>& names,
                         const std::vector<Token>& starts);
  void checkRecordSize(const Type& type, const Token& where);
  const Type* parseEnum(const Token& keyword);
  void parseEnumerators(Enumeration& enumeration);

  // --- declarators (c-parser-declarators.c++)

  bool startsNestedDeclarator() const;
  Declarator parseDeclarator(bool abstract);
  void skipNoise();
  std::vector<DeclaratorStep> parsePointers(CallingConvention& beforeName);
  bool parsePointerQualifiers();
  std::vector<DeclaratorStep> parseSuffixes();
  DeclaratorStep parseArraySuffix();
  Signature* parseParameterList();
  Parameter parseParameter();
  const Type* adjustParameterType(const Type* type);
  void resolveParameterSizes(Signature& signature, const std::vector<Token>& starts);
  const Type* applySteps(const Declarator& declarator, const Type* base,
                         CallingConvention convention);
  const Type* arrayOf(const Type* element, const DeclaratorStep& step,
                      const Declarator& declarator);
  const Type* functionType(const Signature& signature);

  // --- integer constant expressions: array sizes, enumerators, #define
  // (c-parser-constants.c++)

  int64_t integerLiteral(const Token& token);
  int64_t parseConstantExpression();
  int64_t parseBinary(int level);
  int64_t applyBinary(const Token& token, int64_t a, int64_t b);
  int64_t parseSizeof();
  int64_t parseUnary();

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

}  // namespace bridge32::library
