// How libffi sees the engine's shapes (library/ffi-types.h).
#include "library/ffi-types.h"

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

}  // namespace bridge32::library
