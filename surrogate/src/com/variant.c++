#include "com/variant.h"
#if _WIN32

#include <oleauto.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "bridge32/error.h"
#include "win32.h"

namespace bridge32 {
namespace {

// A VARIANT cleared when it goes.
struct OwnedVariant {
  VARIANT value;
  OwnedVariant() { VariantInit(&value); }
  ~OwnedVariant() { VariantClear(&value); }
  OwnedVariant(const OwnedVariant&) = delete;
  OwnedVariant& operator=(const OwnedVariant&) = delete;
};

std::string vartypeName(VARTYPE type) {
  char text[24];
  std::snprintf(text, sizeof text, "VARTYPE 0x%04X", unsigned(type));
  return text;
}

void check(HRESULT result, const char* what) {
  if (FAILED(result)) {
    throw Error(Error::Kind::failed, std::string(what) + " failed: " +
                                         win32::errorText(DWORD(result)));
  }
}

// Where SafeArrayGetElement and SafeArrayPutElement find an element of `type` in a VARIANT that
// holds one: the VARIANT for VT_VARIANT, the pointer itself for strings and objects, else the
// data (every member of the VARIANT's union starts at the same place).
void* elementAddress(VARIANT& variant, VARTYPE type, bool forPut) {
  switch (type) {
    case VT_VARIANT: return &variant;
    case VT_BSTR: return forPut ? static_cast<void*>(variant.bstrVal) : &variant.bstrVal;
    case VT_DISPATCH: return forPut ? static_cast<void*>(variant.pdispVal) : &variant.pdispVal;
    case VT_UNKNOWN: return forPut ? static_cast<void*>(variant.punkVal) : &variant.punkVal;
    default: return &variant.llVal;
  }
}

ComValue arrayFromVariant(SAFEARRAY* array, VARTYPE elementType) {
  if (!array) return ComValue::null();
  UINT dimensions = SafeArrayGetDim(array);
  ComArray out;
  out.elementType = elementType;
  uint64_t total = 1;
  for (UINT d = 1; d <= dimensions; ++d) {
    LONG lower = 0, upper = -1;
    check(SafeArrayGetLBound(array, d, &lower), "SafeArrayGetLBound");
    check(SafeArrayGetUBound(array, d, &upper), "SafeArrayGetUBound");
    out.lowerBounds.push_back(int32_t(lower));
    out.counts.push_back(uint32_t(upper >= lower ? int64_t(upper) - lower + 1 : 0));
    total *= out.counts.back();
  }
  if (auto numbers = comElementType(elementType);
      numbers && SafeArrayGetElemsize(array) == elementSize(*numbers)) {
    // Numbers: the SAFEARRAY's data as it is, in one copy.
    void* data = nullptr;
    check(SafeArrayAccessData(array, &data), "SafeArrayAccessData");
    auto* begin = static_cast<const std::byte*>(data);
    std::vector<std::byte> bytes(begin, begin + total * elementSize(*numbers));
    SafeArrayUnaccessData(array);
    out.numbers = std::make_shared<const Value::TypedArray>(*numbers, std::move(bytes));
    return ComValue::array(std::move(out));
  }
  std::vector<LONG> index(out.lowerBounds.begin(), out.lowerBounds.end());
  for (uint64_t i = 0; i < total; ++i) {
    OwnedVariant element;
    if (elementType != VT_VARIANT) element.value.vt = elementType;
    check(SafeArrayGetElement(array, index.data(), elementAddress(element.value, elementType, false)),
          "SafeArrayGetElement");
    out.elements.push_back(fromVariant(element.value));
    for (size_t d = 0; d < index.size(); ++d) {  // the first dimension varies fastest
      if (++index[d] < out.lowerBounds[d] + LONG(out.counts[d])) break;
      index[d] = out.lowerBounds[d];
    }
  }
  return ComValue::array(std::move(out));
}

}  // namespace

ComValue fromVariant(const VARIANT& given) {
  const VARIANT* variant = &given;
  OwnedVariant direct;
  if (given.vt & VT_BYREF) {
    check(VariantCopyInd(&direct.value, const_cast<VARIANT*>(&given)), "VariantCopyInd");
    variant = &direct.value;
  }
  VARTYPE type = variant->vt;
  if (type & VT_ARRAY) return arrayFromVariant(variant->parray, VARTYPE(type & VT_TYPEMASK));
  switch (type) {
    case VT_EMPTY: return ComValue();
    case VT_NULL: return ComValue::null();
    case VT_BOOL: return ComValue(variant->boolVal != VARIANT_FALSE);
    case VT_I1: return ComValue::integer(variant->cVal, type);
    case VT_I2: return ComValue::integer(variant->iVal, type);
    case VT_I4: return ComValue::integer(variant->lVal, type);
    case VT_INT: return ComValue::integer(variant->intVal, type);
    case VT_I8: return ComValue::integer(variant->llVal, type);
    case VT_UI1: return ComValue::unsignedInteger(variant->bVal, type);
    case VT_UI2: return ComValue::unsignedInteger(variant->uiVal, type);
    case VT_UI4: return ComValue::unsignedInteger(variant->ulVal, type);
    case VT_UINT: return ComValue::unsignedInteger(variant->uintVal, type);
    case VT_UI8: return ComValue::unsignedInteger(variant->ullVal, type);
    case VT_R4: return ComValue::real(variant->fltVal, type);
    case VT_R8: return ComValue::real(variant->dblVal, type);
    case VT_CY: return ComValue::currency(variant->cyVal.int64);
    case VT_DATE: return ComValue::date(variant->date);
    case VT_ERROR: return ComValue::error(int32_t(variant->scode));
    case VT_BSTR:
      return ComValue(variant->bstrVal
                          ? win32::narrow({variant->bstrVal, SysStringLen(variant->bstrVal)})
                          : std::string());
    case VT_DISPATCH:
      return ComValue::object(variant->pdispVal
                                  ? std::make_shared<DispatchObject>(variant->pdispVal)
                                  : nullptr);
    case VT_UNKNOWN: {
      IDispatch* dispatch = nullptr;
      if (variant->punkVal &&
          SUCCEEDED(variant->punkVal->QueryInterface(IID_IDispatch,
                                                     reinterpret_cast<void**>(&dispatch)))) {
        auto object = std::make_shared<DispatchObject>(dispatch);
        dispatch->Release();  // the DispatchObject holds its own
        return ComValue::object(std::move(object));
      }
      throw Error(Error::Kind::unsupported,
                  "the object gave an object without IDispatch (VT_UNKNOWN), which automation "
                  "cannot call");
    }
    case VT_DECIMAL: {  // no ComValue holds 96 bits: as a double, as VBScript rounds it
      OwnedVariant real;
      check(VariantChangeType(&real.value, const_cast<VARIANT*>(variant), 0, VT_R8),
            "VariantChangeType to VT_R8");
      return ComValue::real(real.value.dblVal);
    }
  }
  throw Error(Error::Kind::unsupported,
              "the object gave a VARIANT of " + vartypeName(type) + ", which bridge32 does not carry");
}

void toVariant(const ComValue& value, VARIANT& variant) {
  VariantInit(&variant);
  VARTYPE type = VARTYPE(value.type());
  switch (value.kind()) {
    case ComValue::Kind::empty: return;
    case ComValue::Kind::null: variant.vt = VT_NULL; return;
    case ComValue::Kind::boolean:
      variant.vt = VT_BOOL;
      variant.boolVal = value.asBool() ? VARIANT_TRUE : VARIANT_FALSE;
      return;
    case ComValue::Kind::integer:
    case ComValue::Kind::unsignedInteger:
      // The factories checked the range for the type: the low bytes are the value.
      variant.vt = type;
      variant.llVal = value.kind() == ComValue::Kind::integer ? value.asInt64()
                                                              : int64_t(value.asUint64());
      return;
    case ComValue::Kind::real:
      variant.vt = type;
      if (type == VT_R4) {
        variant.fltVal = float(value.asDouble());
      } else {
        variant.dblVal = value.asDouble();
      }
      return;
    case ComValue::Kind::currency:
      variant.vt = VT_CY;
      variant.cyVal.int64 = value.asCurrency();
      return;
    case ComValue::Kind::date:
      variant.vt = VT_DATE;
      variant.date = value.asDate();
      return;
    case ComValue::Kind::error:
      variant.vt = VT_ERROR;
      variant.scode = value.asError();
      return;
    case ComValue::Kind::string: {
      std::wstring text = win32::wide(value.asString());
      variant.bstrVal = SysAllocStringLen(text.data(), UINT(text.size()));
      if (!variant.bstrVal) throw Error(Error::Kind::failed, "out of memory for a string");
      variant.vt = VT_BSTR;
      return;
    }
    case ComValue::Kind::object: {
      variant.vt = VT_DISPATCH;
      variant.pdispVal = nullptr;
      if (!value.asObject()) return;
      auto* object = dynamic_cast<DispatchObject*>(value.asObject().get());
      if (!object) {
        throw Error(Error::Kind::invalidArgument, "an object this surrogate did not make");
      }
      variant.pdispVal = object->get();
      variant.pdispVal->AddRef();
      return;
    }
    case ComValue::Kind::array: {
      const ComArray& array = value.asArray();
      VARTYPE elementType = VARTYPE(array.elementType);
      std::vector<SAFEARRAYBOUND> bounds;
      for (size_t d = 0; d < array.counts.size(); ++d) {
        bounds.push_back({ULONG(array.counts[d]), LONG(array.lowerBounds[d])});
      }
      SAFEARRAY* made = SafeArrayCreate(elementType, UINT(bounds.size()), bounds.data());
      if (!made) {
        throw Error(Error::Kind::invalidArgument,
                    "cannot make a SAFEARRAY of " + vartypeName(elementType));
      }
      if (array.numbers) {
        // Numbers of the array's own type (ComValue::array checked it): one copy.
        void* data = nullptr;
        if (FAILED(SafeArrayAccessData(made, &data))) {
          SafeArrayDestroy(made);
          throw Error(Error::Kind::failed, "SafeArrayAccessData of a new SAFEARRAY failed");
        }
        auto bytes = array.numbers->bytes();
        if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
        SafeArrayUnaccessData(made);
        variant.vt = VARTYPE(VT_ARRAY | elementType);
        variant.parray = made;
        return;
      }
      std::vector<LONG> index(array.lowerBounds.begin(), array.lowerBounds.end());
      try {
        for (const ComValue& element : array.elements) {
          OwnedVariant item, typed;
          toVariant(element, item.value);
          VARIANT* put = &item.value;
          if (elementType != VT_VARIANT && item.value.vt != elementType) {
            check(VariantChangeType(&typed.value, &item.value, 0, elementType),
                  "converting an array element");
            put = &typed.value;
          }
          check(SafeArrayPutElement(made, index.data(), elementAddress(*put, elementType, true)),
                "SafeArrayPutElement");
          for (size_t d = 0; d < index.size(); ++d) {
            if (++index[d] < array.lowerBounds[d] + LONG(array.counts[d])) break;
            index[d] = array.lowerBounds[d];
          }
        }
      } catch (...) {
        SafeArrayDestroy(made);
        throw;
      }
      variant.vt = VARTYPE(VT_ARRAY | elementType);
      variant.parray = made;
      return;
    }
  }
}

}  // namespace bridge32

#endif
