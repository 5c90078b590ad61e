#include "com/com-wire.h"

#include "bridge32/error.h"
#include "wire.h"

namespace bridge32 {

void toWire(const ComValue& value, wire::ComValue::Builder builder, const ObjectToWire& objects) {
  builder.setType(value.type());
  switch (value.kind()) {
    case ComValue::Kind::empty: builder.setEmpty(); return;
    case ComValue::Kind::null: builder.setNullValue(); return;
    case ComValue::Kind::boolean: builder.setBoolean(value.asBool()); return;
    case ComValue::Kind::integer: builder.setInteger(value.asInt64()); return;
    case ComValue::Kind::unsignedInteger: builder.setUnsigned(value.asUint64()); return;
    case ComValue::Kind::real: builder.setReal(value.asDouble()); return;
    case ComValue::Kind::currency: builder.setCurrency(value.asCurrency()); return;
    case ComValue::Kind::date: builder.setDate(value.asDate()); return;
    case ComValue::Kind::string: builder.setText(value.asString()); return;
    case ComValue::Kind::error: builder.setErrorCode(value.asError()); return;
    case ComValue::Kind::object:
      if (value.asObject()) {
        builder.setObject(objects(value.asObject()));
      } else {
        builder.setNullValue();  // a null VT_DISPATCH: type says so
      }
      return;
    case ComValue::Kind::array: {
      const ComArray& array = value.asArray();
      auto out = builder.initArray();
      auto lower = out.initLowerBounds(uint32_t(array.lowerBounds.size()));
      for (uint32_t i = 0; i < lower.size(); ++i) lower.set(i, array.lowerBounds[i]);
      auto counts = out.initCounts(uint32_t(array.counts.size()));
      for (uint32_t i = 0; i < counts.size(); ++i) counts.set(i, array.counts[i]);
      if (array.numbers) {
        auto bytes = array.numbers->bytes();
        out.setNumbers(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
        return;
      }
      auto elements = out.initElements(uint32_t(array.elements.size()));
      for (uint32_t i = 0; i < elements.size(); ++i) toWire(array.elements[i], elements[i], objects);
      return;
    }
  }
}

ComValue fromWire(wire::ComValue::Reader reader, const ObjectFromWire& objects) {
  uint16_t type = reader.getType();
  switch (reader.which()) {
    case wire::ComValue::EMPTY: return ComValue();
    case wire::ComValue::NULL_VALUE:
      return type == ComValue::vtDispatch ? ComValue::object(nullptr) : ComValue::null();
    case wire::ComValue::BOOLEAN: return ComValue(reader.getBoolean());
    case wire::ComValue::INTEGER: return ComValue::integer(reader.getInteger(), type);
    case wire::ComValue::UNSIGNED: return ComValue::unsignedInteger(reader.getUnsigned(), type);
    case wire::ComValue::REAL: return ComValue::real(reader.getReal(), type);
    case wire::ComValue::CURRENCY: return ComValue::currency(reader.getCurrency());
    case wire::ComValue::DATE: return ComValue::date(reader.getDate());
    case wire::ComValue::TEXT: return ComValue(text(reader.getText()));
    case wire::ComValue::ERROR_CODE: return ComValue::error(reader.getErrorCode());
    case wire::ComValue::OBJECT: return ComValue::object(objects(reader.getObject()));
    case wire::ComValue::ARRAY: {
      auto in = reader.getArray();
      ComArray array;
      array.elementType = uint16_t(type & 0x0fff);
      for (int32_t bound : in.getLowerBounds()) array.lowerBounds.push_back(bound);
      for (uint32_t count : in.getCounts()) array.counts.push_back(count);
      for (auto element : in.getElements()) array.elements.push_back(fromWire(element, objects));
      if (in.hasNumbers()) {
        auto numbers = comElementType(array.elementType);
        if (!numbers) {
          throw Error(Error::Kind::invalidArgument,
                      "numbers as bytes for a SAFEARRAY of VARTYPE " + std::to_string(array.elementType));
        }
        auto data = in.getNumbers();
        auto* begin = reinterpret_cast<const std::byte*>(data.begin());
        array.numbers = std::make_shared<const Value::TypedArray>(
            *numbers, std::vector<std::byte>(begin, begin + data.size()));
      }
      return ComValue::array(std::move(array));
    }
  }
  throw Error(Error::Kind::invalidArgument,
              "a COM value of a kind this build does not know (VARTYPE " + std::to_string(type) +
                  ")");
}

void toWire(const ComTypeInfo& type, wire::ComTypeInfo::Builder builder) {
  builder.setName(type.name);
  builder.setGuid(type.guid);
  builder.setDescription(type.description);
  auto members = builder.initMembers(uint32_t(type.members.size()));
  for (uint32_t i = 0; i < members.size(); ++i) {
    const ComMemberInfo& member = type.members[i];
    members[i].setName(member.name);
    members[i].setId(member.id);
    members[i].setKind(wire::InvokeKind(member.kind));
    members[i].setType(member.type);
    members[i].setVarargs(member.varargs);
    members[i].setDescription(member.description);
    auto parameters = members[i].initParameters(uint32_t(member.parameters.size()));
    for (uint32_t k = 0; k < parameters.size(); ++k) {
      parameters[k].setName(member.parameters[k].name);
      parameters[k].setType(member.parameters[k].type);
      parameters[k].setOptional(member.parameters[k].optional);
      parameters[k].setOutput(member.parameters[k].output);
    }
  }
}

ComTypeInfo fromWire(wire::ComTypeInfo::Reader reader) {
  ComTypeInfo type{text(reader.getName()), text(reader.getGuid()), text(reader.getDescription()),
                   {}};
  for (auto in : reader.getMembers()) {
    ComMemberInfo member;
    member.name = text(in.getName());
    member.id = in.getId();
    if (uint16_t(in.getKind()) > uint16_t(wire::InvokeKind::PROPERTY_PUT_REF)) {
      throw Error(Error::Kind::invalidArgument,
                  "member '" + member.name + "' of " + type.name + " is of an unknown kind");
    }
    member.kind = ComMemberInfo::Kind(in.getKind());
    member.type = text(in.getType());
    member.varargs = in.getVarargs();
    member.description = text(in.getDescription());
    for (auto parameter : in.getParameters()) {
      member.parameters.push_back({text(parameter.getName()), text(parameter.getType()),
                                   parameter.getOptional(), parameter.getOutput()});
    }
    type.members.push_back(std::move(member));
  }
  return type;
}

}  // namespace bridge32
