#include "library/declaration-wire.h"

#include <map>
#include <string>
#include <vector>

#include "bridge32/error.h"
#include "wire.h"

namespace bridge32::library {

namespace {

// Every type, record, enumeration and signature a function reaches, each numbered once.
class Reached {
 public:
  explicit Reached(const Signature& function) { visit(&function); }

  std::vector<const Type*> types;
  std::vector<const Record*> records;
  std::vector<const Enumeration*> enumerations;
  std::vector<const Signature*> signatures;

  template <typename T>
  uint32_t indexOf(const T* item) const {
    return indices_.at(item);
  }

 private:
  // True the first time `item` is seen, when it is numbered and added to `list`.
  template <typename T>
  bool first(const T* item, std::vector<const T*>& list) {
    if (!indices_.emplace(item, uint32_t(list.size())).second) return false;
    list.push_back(item);
    return true;
  }

  void visit(const Type* type) {
    if (!first(type, types)) return;
    if (type->target) visit(type->target);
    if (type->record) visit(type->record);
    if (type->enumeration) first(type->enumeration, enumerations);
    if (type->signature) visit(type->signature);
  }
  void visit(const Record* record) {
    if (!first(record, records)) return;
    for (const Field& field : record->fields) visit(field.type);
  }
  void visit(const Signature* signature) {
    if (!first(signature, signatures)) return;
    visit(signature->returnType);
    for (const Parameter& parameter : signature->parameters) visit(parameter.type);
  }

  std::map<const void*, uint32_t> indices_;
};

void toWire(const SizeExpression& size, wire::CSize::Builder builder) {
  builder.setOp(uint8_t(size.op));
  builder.setConstant(size.constant);
  builder.setName(size.name);
  auto operands = builder.initOperands(uint32_t(size.operands.size()));
  for (uint32_t i = 0; i < operands.size(); ++i) toWire(size.operands[i], operands[i]);
}

void toWire(const Annotation& annotation, wire::CAnnotation::Builder builder) {
  auto sal = builder.initSal(uint32_t(annotation.sal.size()));
  for (uint32_t i = 0; i < sal.size(); ++i) sal.set(i, annotation.sal[i]);
  builder.setDirection(uint8_t(annotation.direction));
  builder.setTransfer(uint8_t(annotation.transfer));
  builder.setOptional(annotation.optional);
  builder.setKept(annotation.kept);
  builder.setOutPointer(annotation.outPointer);
  builder.setOutPointerText(annotation.outPointerText);
  if (annotation.count) toWire(*annotation.count, builder.initCount(1)[0]);
  if (annotation.written) toWire(*annotation.written, builder.initWritten(1)[0]);
}

template <typename Member>
void toWire(const Member& member, const Reached& reached, wire::CMember::Builder builder) {
  builder.setName(member.name);
  builder.setType(reached.indexOf(member.type));
  toWire(member.annotation, builder.initAnnotation());
}

// What arrives: each number checked against what it may be.
template <typename Enum>
Enum enumerator(uint8_t value, Enum last, const char* what) {
  if (value > uint8_t(last)) {
    throw Error(Error::Kind::invalidArgument,
                std::string("a function's description has ") + what + " " + std::to_string(value));
  }
  return Enum(value);
}

template <typename T>
T* at(std::vector<T*>& items, uint32_t index, const char* what) {
  if (index >= items.size()) {
    throw Error(Error::Kind::invalidArgument, std::string("a function's description refers to ") +
                                                  what + " " + std::to_string(index) + " of " +
                                                  std::to_string(items.size()));
  }
  return items[index];
}

// Nesting of size expressions is bounded as the parser bounds it.
SizeExpression fromWire(wire::CSize::Reader reader, int depth = 0) {
  if (depth > 64) throw Error(Error::Kind::invalidArgument, "a size expression nested too deep");
  SizeExpression size;
  size.op = enumerator(reader.getOp(), SizeExpression::Op::divide, "size operation");
  size.constant = reader.getConstant();
  size.name = text(reader.getName());
  for (auto operand : reader.getOperands()) size.operands.push_back(fromWire(operand, depth + 1));
  return size;
}

Annotation fromWire(wire::CAnnotation::Reader reader) {
  Annotation annotation;
  for (auto sal : reader.getSal()) annotation.sal.push_back(text(sal));
  annotation.direction = enumerator(reader.getDirection(), Direction::inout, "direction");
  annotation.transfer = enumerator(reader.getTransfer(), Transfer::callback, "transfer");
  annotation.optional = reader.getOptional();
  annotation.kept = reader.getKept();
  annotation.outPointer = reader.getOutPointer();
  annotation.outPointerText = reader.getOutPointerText();
  if (reader.getCount().size() > 0) annotation.count = fromWire(reader.getCount()[0]);
  if (reader.getWritten().size() > 0) annotation.written = fromWire(reader.getWritten()[0]);
  return annotation;
}

}  // namespace

void toWire(const Signature& function, wire::FunctionType::Builder builder) {
  Reached reached(function);
  auto types = builder.initTypes(uint32_t(reached.types.size()));
  for (uint32_t i = 0; i < types.size(); ++i) {
    const Type& type = *reached.types[i];
    auto out = types[i];
    out.setKind(uint8_t(type.kind));
    out.setIsConst(type.isConst);
    out.setName(type.name);
    out.setWidth(uint8_t(type.width));
    out.setIsSigned(type.isSigned);
    out.setCharacter(uint8_t(type.character));
    out.setFloatBytes(uint8_t(type.floatBytes));
    out.setHandle(uint8_t(type.handle));
    out.setCount(type.count);
    // Index + 1: 0 is none.
    if (type.target) out.setTarget(reached.indexOf(type.target) + 1);
    if (type.record) out.setRecord(reached.indexOf(type.record) + 1);
    if (type.enumeration) out.setEnumeration(reached.indexOf(type.enumeration) + 1);
    if (type.signature) out.setSignature(reached.indexOf(type.signature) + 1);
  }
  auto records = builder.initRecords(uint32_t(reached.records.size()));
  for (uint32_t i = 0; i < records.size(); ++i) {
    const Record& record = *reached.records[i];
    records[i].setIsUnion(record.isUnion);
    records[i].setTag(record.tag);
    records[i].setIsComplete(record.isComplete);
    records[i].setPack(record.pack);
    records[i].setIsPacked(record.isPacked);
    records[i].setAlignment(record.alignment);
    records[i].setAlignmentIsDeclspec(record.alignmentIsDeclspec);
    auto fields = records[i].initFields(uint32_t(record.fields.size()));
    for (uint32_t f = 0; f < fields.size(); ++f) {
      toWire(record.fields[f], reached, fields[f]);
      if (record.fields[f].bitWidth) {
        fields[f].setIsBitField(true);
        fields[f].setBitWidth(*record.fields[f].bitWidth);
      }
    }
  }
  auto enumerations = builder.initEnumerations(uint32_t(reached.enumerations.size()));
  for (uint32_t i = 0; i < enumerations.size(); ++i) {
    const Enumeration& enumeration = *reached.enumerations[i];
    enumerations[i].setTag(enumeration.tag);
    auto names = enumerations[i].initNames(uint32_t(enumeration.constants.size()));
    auto values = enumerations[i].initValues(names.size());
    for (uint32_t c = 0; c < names.size(); ++c) {
      names.set(c, enumeration.constants[c].name);
      values.set(c, enumeration.constants[c].value);
    }
  }
  auto signatures = builder.initSignatures(uint32_t(reached.signatures.size()));
  for (uint32_t i = 0; i < signatures.size(); ++i) {
    const Signature& signature = *reached.signatures[i];
    signatures[i].setName(signature.name);
    signatures[i].setReturnType(reached.indexOf(signature.returnType));
    toWire(signature.returnAnnotation, signatures[i].initReturnAnnotation());
    auto parameters = signatures[i].initParameters(uint32_t(signature.parameters.size()));
    for (uint32_t p = 0; p < parameters.size(); ++p) {
      toWire(signature.parameters[p], reached, parameters[p]);
    }
    signatures[i].setConvention(uint8_t(signature.convention));
    signatures[i].setIsVariadic(signature.isVariadic);
  }
}

std::shared_ptr<const Signature> fromWire(wire::FunctionType::Reader reader) {
  auto store = std::make_shared<TypeStore>();
  // Everything made first, so that any of it can point at any other.
  std::vector<Type*> types;
  std::vector<Record*> records;
  std::vector<Enumeration*> enumerations;
  std::vector<Signature*> signatures;
  for (uint32_t i = 0; i < reader.getTypes().size(); ++i) types.push_back(&store->add({}));
  for (uint32_t i = 0; i < reader.getRecords().size(); ++i) records.push_back(&store->addRecord());
  for (uint32_t i = 0; i < reader.getEnumerations().size(); ++i) {
    enumerations.push_back(&store->addEnumeration());
  }
  for (uint32_t i = 0; i < reader.getSignatures().size(); ++i) {
    signatures.push_back(&store->addSignature({}));
  }
  if (signatures.empty()) {
    throw Error(Error::Kind::invalidArgument, "a function's description has no signature");
  }
  auto optional = [](auto& items, uint32_t index, const char* what) {
    return index == 0 ? nullptr : at(items, index - 1, what);
  };
  for (uint32_t i = 0; i < types.size(); ++i) {
    auto in = reader.getTypes()[i];
    Type& type = *types[i];
    type.kind = enumerator(in.getKind(), Type::Kind::handle, "type kind");
    type.isConst = in.getIsConst();
    type.name = text(in.getName());
    type.width = enumerator(in.getWidth(), IntegerWidth::wcharT, "integer width");
    type.isSigned = in.getIsSigned();
    type.character = enumerator(in.getCharacter(), Character::wide, "character kind");
    type.floatBytes = in.getFloatBytes();
    if (type.kind == Type::Kind::floating && type.floatBytes != 4 && type.floatBytes != 8) {
      throw Error(Error::Kind::invalidArgument, "a floating type of " +
                                                    std::to_string(type.floatBytes) + " bytes");
    }
    type.handle = enumerator(in.getHandle(), HandleKind::module, "handle kind");
    type.count = in.getCount();
    type.target = optional(types, in.getTarget(), "type");
    type.record = optional(records, in.getRecord(), "record");
    type.enumeration = optional(enumerations, in.getEnumeration(), "enumeration");
    type.signature = optional(signatures, in.getSignature(), "signature");
    // What each kind needs, present: the layout and the engine rely on it.
    bool complete = (type.kind != Type::Kind::pointer && type.kind != Type::Kind::array) ||
                    type.target;
    complete = complete && (type.kind != Type::Kind::record || type.record);
    complete = complete && (type.kind != Type::Kind::enumeration || type.enumeration);
    complete = complete && (type.kind != Type::Kind::function || type.signature);
    if (!complete) {
      throw Error(Error::Kind::invalidArgument, "a function's description has a type " +
                                                    std::to_string(i) + " without its parts");
    }
  }
  auto member = [&](wire::CMember::Reader in, auto& out) {
    out.name = text(in.getName());
    out.type = at(types, in.getType(), "type");
    out.annotation = fromWire(in.getAnnotation());
  };
  for (uint32_t i = 0; i < records.size(); ++i) {
    auto in = reader.getRecords()[i];
    Record& record = *records[i];
    record.isUnion = in.getIsUnion();
    record.tag = text(in.getTag());
    record.isComplete = in.getIsComplete();
    record.pack = in.getPack();
    record.isPacked = in.getIsPacked();
    record.alignment = in.getAlignment();
    record.alignmentIsDeclspec = in.getAlignmentIsDeclspec();
    if (record.alignment > 8192 || (record.alignment & (record.alignment - 1)) != 0) {
      throw Error(Error::Kind::invalidArgument, "a struct aligned to " +
                                                    std::to_string(record.alignment) + " bytes");
    }
    for (auto field : in.getFields()) {
      Field& out = record.fields.emplace_back();
      member(field, out);
      if (!field.getIsBitField()) continue;
      if (field.getBitWidth() > 64) {
        throw Error(Error::Kind::invalidArgument,
                    "a bit-field " + std::to_string(field.getBitWidth()) + " bits wide");
      }
      out.bitWidth = field.getBitWidth();
    }
  }
  for (uint32_t i = 0; i < enumerations.size(); ++i) {
    auto in = reader.getEnumerations()[i];
    enumerations[i]->tag = text(in.getTag());
    if (in.getNames().size() != in.getValues().size()) {
      throw Error(Error::Kind::invalidArgument, "an enumeration's names and values differ in number");
    }
    for (uint32_t c = 0; c < in.getNames().size(); ++c) {
      enumerations[i]->constants.push_back({text(in.getNames()[c]), in.getValues()[c]});
    }
  }
  for (uint32_t i = 0; i < signatures.size(); ++i) {
    auto in = reader.getSignatures()[i];
    Signature& signature = *signatures[i];
    signature.name = text(in.getName());
    signature.returnType = at(types, in.getReturnType(), "type");
    signature.returnAnnotation = fromWire(in.getReturnAnnotation());
    for (auto parameter : in.getParameters()) member(parameter, signature.parameters.emplace_back());
    signature.convention =
        enumerator(in.getConvention(), CallingConvention::thisCall, "calling convention");
    signature.isVariadic = in.getIsVariadic();
  }
  return std::shared_ptr<const Signature>(store, signatures[0]);
}

}  // namespace bridge32::library
