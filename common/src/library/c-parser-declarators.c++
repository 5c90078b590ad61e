// Declarators, read the C way, inside out, into a list of steps (pointer, array, function)
// applied to the specifiers' type; parameter lists with them.
#include "library/c-parser-internal.h"

namespace bridge32::library {

// At '(': a nested declarator such as (*p) or (CALLBACK *p), rather than a parameter list.
bool DeclarationParser::startsNestedDeclarator() const {
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

Declarator DeclarationParser::parseDeclarator(bool abstract) {
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

void DeclarationParser::skipNoise() {
  while (peek().kind == Token::Kind::identifier && isNoise(peek().text)) take();
}

// `* const`, `__stdcall *`...: a convention before a '*' belongs to what it points at; one
// after the last '*' to the function being declared.
std::vector<DeclaratorStep> DeclarationParser::parsePointers(CallingConvention& beforeName) {
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

bool DeclarationParser::parsePointerQualifiers() {
  bool isConst = false;
  while (peek().kind == Token::Kind::identifier &&
         (isConstWord(peek().text) || isNoise(peek().text))) {
    isConst = isConstWord(take().text) || isConst;
  }
  return isConst;
}

std::vector<DeclaratorStep> DeclarationParser::parseSuffixes() {
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

DeclaratorStep DeclarationParser::parseArraySuffix() {
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

Signature* DeclarationParser::parseParameterList() {
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

Parameter DeclarationParser::parseParameter() {
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
const Type* DeclarationParser::adjustParameterType(const Type* type) {
  if (type->kind == Type::Kind::array) return pointerTo(type->target, type->isConst);
  if (type->kind == Type::Kind::function) return pointerTo(type);
  return type;
}

void DeclarationParser::resolveParameterSizes(Signature& signature,
                                              const std::vector<Token>& starts) {
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
const Type* DeclarationParser::applySteps(const Declarator& declarator, const Type* base,
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

const Type* DeclarationParser::arrayOf(const Type* element, const DeclaratorStep& step,
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

const Type* DeclarationParser::functionType(const Signature& signature) {
  Type type;
  type.kind = Type::Kind::function;
  type.signature = &signature;
  return add(std::move(type));
}

}  // namespace bridge32::library
