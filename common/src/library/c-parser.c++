// A recursive-descent parser for C declarations. Tokens first (c-parser-tokens.c++), then
// declarations: specifiers (types, qualifiers, SAL, calling conventions, noise), then declarators
// read the C way, inside out, into a list of steps (pointer, array, function) applied to the
// specifiers' type. This file holds the parse of a whole text: the top level, declarations
// passed over, preprocessor directives, and Declarations; the parts it reads with are in
// c-parser-*.c++ (c-parser-internal.h).
#include "library/c-parser.h"

#include <algorithm>
#include <set>
#include <utility>

#include "bridge32/error.h"
#include "library/c-parser-internal.h"

namespace bridge32::library {

// ---------------------------------------------------------------------------------------------
// The parser

DeclarationParser::DeclarationParser(std::string_view text, const ParseOptions& options)
    : options_(options), store_(std::make_shared<TypeStore>()), tokens_(tokenize(text)) {
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

Declarations DeclarationParser::parse() {
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

// ---------------------------------------------------------------------------------------------
// Top level

void DeclarationParser::parseExternalDeclaration() {
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
void DeclarationParser::parseLinkage() {
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

void DeclarationParser::parseDeclaration() {
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

void DeclarationParser::declare(const Specifiers& specifiers, const Declarator& declarator,
                                const Type* type) {
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

void DeclarationParser::defineTypedef(const Declarator& declarator, const Type* type) {
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

// ---------------------------------------------------------------------------------------------
// Passing over what a header declares that cannot be taken (ParseOptions::skipUnsupported)

// From the first token of a declaration: to its ';' or, for a function's body, a namespace or
// a class, its closing '}' (and a ';' after it). A '}' that closes an extern "C" block ends it
// without being taken.
void DeclarationParser::skipDeclaration() {
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
std::pair<std::string, bool> DeclarationParser::nameOfDeclaration() const {
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

// ---------------------------------------------------------------------------------------------
// Preprocessor directives: one line each

std::vector<Token> DeclarationParser::directiveLine() {
  std::vector<Token> line;
  while (peek().kind != Token::Kind::end && !peek().startsLine) line.push_back(take());
  return line;
}

void DeclarationParser::parseDirective() {
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
void DeclarationParser::parsePragmaOperator() {
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
void DeclarationParser::parsePragma(const std::vector<Token>& line) {
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

uint32_t DeclarationParser::packValue(const Token& token) {
  if (token.kind == Token::Kind::number) {
    for (uint32_t value : {1u, 2u, 4u, 8u, 16u}) {
      if (token.text == std::to_string(value)) return value;
    }
  }
  failAt(token, "expected a pack of 1, 2, 4, 8 or 16, found " + describeToken(token));
}

// #define NAME <integer constant expression>. Anything else (a macro for a keyword, a
// function-like macro) cannot be used here and is left undefined.
void DeclarationParser::parseDefine(const std::vector<Token>& line) {
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

// ---------------------------------------------------------------------------------------------
// Reading a text

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
