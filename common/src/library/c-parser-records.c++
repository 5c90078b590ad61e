// Struct, union and enum: tags, definitions, fields (bit-fields included) and enumerators.
#include "library/c-parser-internal.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "bridge32/error.h"

namespace bridge32::library {

const Type* DeclarationParser::parseTagged() {
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

Type* DeclarationParser::newRecord(bool isUnion, const std::string& tag) {
  Record& record = store_->addRecord();
  record.isUnion = isUnion;
  record.tag = tag;
  Type type;
  type.kind = Type::Kind::record;
  type.record = &record;
  return const_cast<Type*>(add(std::move(type)));
}

// `struct P` used before (or without) its definition.
const Type* DeclarationParser::taggedRecord(const Token& keyword, const std::string& tag,
                                            bool isUnion) {
  auto found = tags_.find(tag);
  if (found == tags_.end()) return tags_[tag] = newRecord(isUnion, tag);
  checkTagKind(keyword, *found->second, isUnion ? "union" : "struct");
  return found->second;
}

Type* DeclarationParser::definableRecord(const Token& keyword, const std::string& tag,
                                         bool isUnion) {
  const Type* found = taggedRecord(keyword, tag, isUnion);
  if (found->record->isComplete) {
    failAt(keyword, "redefinition of " + std::string(keyword.text) + " " + tag);
  }
  // The base's types are not ours to change (see ParseOptions::base).
  if (inherited_.count(found)) return const_cast<Type*>(tags_[tag] = newRecord(isUnion, tag));
  return const_cast<Type*>(found);
}

void DeclarationParser::checkTagKind(const Token& keyword, const Type& type,
                                     std::string_view wanted) {
  std::string_view actual = type.kind == Type::Kind::enumeration ? "enum"
                            : type.record->isUnion               ? "union"
                                                                 : "struct";
  if (actual != wanted) {
    failAt(keyword, "'" + describe(type) + "' used as " + std::string(wanted));
  }
}

void DeclarationParser::parseFields(Record& record) {
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

void DeclarationParser::parseFieldDeclaration(Record& record, std::set<std::string>& names,
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

std::string DeclarationParser::bitFieldName(const Declarator& declarator) {
  return declarator.name.empty() ? "an unnamed bit-field" : "bit-field '" + declarator.name + "'";
}

uint32_t DeclarationParser::parseBitWidth(const Declarator& declarator) {
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
void DeclarationParser::checkBitField(const Declarator& declarator, const Type& type,
                                      uint32_t width) {
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

void DeclarationParser::checkFieldType(const Declarator& declarator, const Type& type) {
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

void DeclarationParser::resolveFieldSizes(Record& record, const std::set<std::string>& names,
                                          const std::vector<Token>& starts) {
  for (size_t i = 0; i < record.fields.size(); ++i) {
    Annotation& annotation = record.fields[i].annotation;
    if (annotation.count) resolveSizeNames(*annotation.count, names, starts[i], "field");
    if (annotation.written) resolveSizeNames(*annotation.written, names, starts[i], "field");
  }
}

// Refuses a struct too large in any ABI now, with a position, rather than at a call.
// Without an ABI, it must fit every ABI.
void DeclarationParser::checkRecordSize(const Type& type, const Token& where) {
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

const Type* DeclarationParser::parseEnum(const Token& keyword) {
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

void DeclarationParser::parseEnumerators(Enumeration& enumeration) {
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

}  // namespace bridge32::library
