// How libffi sees the engine's shapes (library/ffi-types.h).
#include "library/ffi-types.h"

#include <algorithm>

#include "bridge32/error.h"

namespace bridge32::library {

ffi_type* scalarType(const Shape& shape) {
  switch (shape.kind) {
    case Shape::Kind::boolean:
    case Shape::Kind::integer:
      switch (shape.size) {
        case 1: return shape.isSigned ? &ffi_type_sint8 : &ffi_type_uint8;
        case 2: return shape.isSigned ? &ffi_type_sint16 : &ffi_type_uint16;
        case 4: return shape.isSigned ? &ffi_type_sint32 : &ffi_type_uint32;
        case 8: return shape.isSigned ? &ffi_type_sint64 : &ffi_type_uint64;
      }
      break;
    case Shape::Kind::floating: return shape.size == 4 ? &ffi_type_float : &ffi_type_double;
    case Shape::Kind::voidType: return &ffi_type_void;
    case Shape::Kind::pointer:
    case Shape::Kind::string:
    case Shape::Kind::opaque:
    case Shape::Kind::callback: return &ffi_type_pointer;
    default: break;
  }
  return nullptr;
}

ffi_abi abiOf(CallingConvention convention) {
#if defined(_WIN32) && !defined(_WIN64)
  switch (convention) {
    case CallingConvention::stdCall: return FFI_STDCALL;
    case CallingConvention::fastCall: return FFI_FASTCALL;
    case CallingConvention::thisCall: return FFI_THISCALL;
    default: return FFI_MS_CDECL;
  }
#else
  (void)convention;  // one convention on other platforms: the declared one is the default's alias
  return FFI_DEFAULT_ABI;
#endif
}

ffi_type* FfiTypes::of(const Shape& shape, const std::string& what) {
  if (ffi_type* scalar = scalarType(shape)) return scalar;
  if (shape.kind == Shape::Kind::record) {
    auto elements = std::make_unique<std::vector<ffi_type*>>();
    bool hasBitFields = std::any_of(shape.fields.begin(), shape.fields.end(),
                                    [](const Shape::Field& field) { return field.bits; });
    if (shape.isUnion || hasBitFields) {
      flatElements(shape, *elements);
    } else {
      for (const auto& field : shape.fields) appendElements(*field.shape, *elements, what);
    }
    elements->push_back(nullptr);
    auto type = std::make_unique<ffi_type>();
    type->size = 0;
    type->alignment = 0;
    type->type = FFI_TYPE_STRUCT;
    type->elements = elements->data();
    elementLists.push_back(std::move(elements));
    records.push_back(std::move(type));
    return records.back().get();
  }
  throw Error(Error::Kind::unsupported, what + " (" + shape.name + ") cannot be passed by value");
}

void FfiTypes::appendElements(const Shape& shape, std::vector<ffi_type*>& elements,
                              const std::string& what) {
  if (shape.kind == Shape::Kind::array) {
    for (uint32_t i = 0; i < shape.length; ++i) appendElements(*shape.element, elements, what);
    return;
  }
  elements.push_back(of(shape, what));
}

// libffi has no unions and no bit-fields: a record with either is passed as a struct of the
// same size and alignment, cut into pieces as wide as its alignment (at most 8 bytes), each
// floating point where only floating-point members cover it and an integer elsewhere. That is
// what decides registers where an ABI looks inside (System V x86-64 classifies each
// eightbyte: SSE only without an integer in it); elsewhere size and alignment are all that
// count.
void FfiTypes::flatElements(const Shape& shape, std::vector<ffi_type*>& elements) {
  struct Leaf {
    uint32_t offset, size;
    bool floating;
  };
  std::vector<Leaf> leaves;
  auto collect = [&](auto& self, const Shape& part, uint32_t offset) -> void {
    switch (part.kind) {
      case Shape::Kind::record:
        for (const auto& field : part.fields) {
          if (field.bits) {
            uint32_t bytes = (field.bits->offset + field.bits->width + 7) / 8;
            leaves.push_back({offset + field.offset, bytes, false});
          } else {
            self(self, *field.shape, offset + field.offset);
          }
        }
        return;
      case Shape::Kind::array:
        for (uint32_t i = 0; i < part.length; ++i) {
          self(self, *part.element, offset + i * part.element->size);
        }
        return;
      default: leaves.push_back({offset, part.size, part.kind == Shape::Kind::floating});
    }
  };
  collect(collect, shape, 0);
  uint32_t piece = std::min<uint32_t>(std::max<uint32_t>(shape.align, 1), 8);
  for (uint32_t at = 0; at < shape.size; at += piece) {
    bool floating = std::none_of(leaves.begin(), leaves.end(), [&](const Leaf& leaf) {
      return !leaf.floating && leaf.offset < at + piece && at < leaf.offset + leaf.size;
    });
    switch (piece) {
      case 8: elements.push_back(floating ? &ffi_type_double : &ffi_type_uint64); break;
      case 4: elements.push_back(floating ? &ffi_type_float : &ffi_type_uint32); break;
      case 2: elements.push_back(&ffi_type_uint16); break;
      default: elements.push_back(&ffi_type_uint8); break;
    }
  }
}

}  // namespace bridge32::library
