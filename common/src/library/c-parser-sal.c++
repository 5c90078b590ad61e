// SAL annotations: every annotation the parser reads, how one is read (sizes included) and
// what it makes of the annotated value's Annotation.
#include "library/c-parser-internal.h"

namespace bridge32::library {

// ---------------------------------------------------------------------------------------------
// The annotations

namespace {

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

}  // namespace

const SalRule* salRule(std::string_view word) {
  for (const SalRule& rule : sal::kRules) {
    if (rule.name == word) return &rule;
  }
  return nullptr;
}

std::vector<std::string_view> annotationNames() {
  std::vector<std::string_view> names;
  for (const SalRule& rule : sal::kRules) names.push_back(rule.name);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Reading annotations, and what they make of a value

SalItem DeclarationParser::parseSal(const SalRule& rule, SalRole role) {
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
SizeExpression DeclarationParser::parseSizeExpression() {
  SizeExpression left = parseSizeTerm();
  while (peek().is("+") || peek().is("-")) {
    auto op = take().is("+") ? SizeExpression::Op::add : SizeExpression::Op::subtract;
    left = SizeExpression{op, 0, {}, {std::move(left), parseSizeTerm()}};
  }
  return left;
}

SizeExpression DeclarationParser::parseSizeTerm() {
  SizeExpression left = parseSizeFactor();
  while (peek().is("*") || peek().is("/")) {
    auto op = take().is("*") ? SizeExpression::Op::multiply : SizeExpression::Op::divide;
    left = SizeExpression{op, 0, {}, {std::move(left), parseSizeFactor()}};
  }
  return left;
}

SizeExpression DeclarationParser::parseSizeFactor() {
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

// Names in a size must be parameters (or fields); enumerators and #defines become numbers.
void DeclarationParser::resolveSizeNames(SizeExpression& expression,
                                         const std::set<std::string>& members, const Token& where,
                                         std::string_view memberKind) {
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
Annotation DeclarationParser::resolveAnnotation(const Type& type, const std::vector<SalItem>& items,
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

void DeclarationParser::applySal(Annotation& annotation, const Type& type, const SalItem& item,
                                 SalRole role) {
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
Annotation DeclarationParser::defaultAnnotation(const Type& type, SalRole role) {
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

}  // namespace bridge32::library
