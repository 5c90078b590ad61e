// Integer constant expressions (array sizes, enumerators, bit-field widths, #define), sizeof
// in them, and integer literals wherever the parser reads one.
#include "library/c-parser-internal.h"

#include <algorithm>
#include <limits>

#include "bridge32/error.h"
#include "library/c-literals.h"

namespace bridge32::library {

int64_t DeclarationParser::integerLiteral(const Token& token) {
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

int64_t DeclarationParser::parseConstantExpression() { return parseBinary(0); }

// Precedence climbing over C's integer operators, lowest first.
int64_t DeclarationParser::parseBinary(int level) {
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

int64_t DeclarationParser::applyBinary(const Token& token, int64_t a, int64_t b) {
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
int64_t DeclarationParser::parseSizeof() {
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

int64_t DeclarationParser::parseUnary() {
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

}  // namespace bridge32::library
