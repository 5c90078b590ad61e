#include "com/dispatch-calls.h"
#if _WIN32

#include <oleauto.h>

#include <algorithm>

#include "closest-names.h"
#include "com/com-registry.h"
#include "com/type-info.h"
#include "com/variant.h"
#include "win32.h"

namespace bridge32 {

namespace {

// "; the closest: Add, Items" from the object's type information, for a name it does not know;
// "" without type information or a close name.
std::string closestMembers(IDispatch* object, const std::string& unknown) {
  ITypeInfo* info = nullptr;
  if (FAILED(object->GetTypeInfo(0, LOCALE_USER_DEFAULT, &info)) || !info) return "";
  std::vector<std::string> names;
  try {
    for (const ComMemberInfo& member : readTypeInfo(info).members) {
      if (std::find(names.begin(), names.end(), member.name) == names.end()) {
        names.push_back(member.name);
      }
      for (const ComParameterInfo& parameter : member.parameters) names.push_back(parameter.name);
    }
  } catch (const Error&) {
    // Type information that cannot be read suggests nothing.
  }
  info->Release();
  std::vector<std::string> closest = closestNames(names, unknown);
  std::string text;
  for (const std::string& name : closest) text += (text.empty() ? "; the closest: " : ", ") + name;
  return text;
}

}  // namespace

// [module thread] One IDispatch::Invoke of `member` on `object`, named `where` in errors
// ("Scripting.Dictionary.Add").
ComValue invokeMember(IDispatch* object, const std::string& where, const std::string& member,
                      wire::InvokeKind kind, const std::vector<ComValue>& arguments,
                      const std::vector<NamedArgument>& named) {
  // The member's DISPID and its named arguments', in one call.
  std::vector<std::wstring> names{win32::wide(member)};
  for (const NamedArgument& argument : named) names.push_back(win32::wide(argument.name));
  std::vector<LPOLESTR> pointers;
  for (std::wstring& name : names) pointers.push_back(name.data());
  std::vector<DISPID> ids(names.size(), DISPID_UNKNOWN);
  if (member.empty()) {
    // The default member: GetIDsOfNames reads named arguments' names as a member's.
    if (!named.empty()) {
      throw Error(Error::Kind::invalidArgument,
                  where + ": named arguments need the member's name (the default member has none)");
    }
    ids[0] = DISPID_VALUE;
  } else {
    HRESULT found = object->GetIDsOfNames(IID_NULL, pointers.data(), UINT(pointers.size()),
                                          LOCALE_USER_DEFAULT, ids.data());
    if (FAILED(found)) {
      std::string unknown = member;
      for (size_t i = 1; i < ids.size(); ++i) {
        if (ids[i] == DISPID_UNKNOWN) unknown = named[i - 1].name;
      }
      Error error = comError(found, where);
      throw Error(error.kind(), where + ": no member or named argument '" + unknown + "' (" +
                                    hresultText(found) + ")" + closestMembers(object, unknown),
                  *error.com());
    }
  }

  // DISPPARAMS: the named arguments first (a property's new value first of all, as
  // DISPID_PROPERTYPUT), then the positional ones, last to first.
  bool put = kind == wire::InvokeKind::PROPERTY_PUT || kind == wire::InvokeKind::PROPERTY_PUT_REF;
  if (put && arguments.empty()) {
    throw Error(Error::Kind::invalidArgument, where + ": setting a property takes its value");
  }
  size_t positional = arguments.size() - (put ? 1 : 0);
  std::vector<DISPID> namedIds;
  std::vector<const ComValue*> order;
  if (put) {
    namedIds.push_back(DISPID_PROPERTYPUT);
    order.push_back(&arguments.back());
  }
  for (size_t i = 0; i < named.size(); ++i) {
    namedIds.push_back(ids[i + 1]);
    order.push_back(&named[i].value);
  }
  for (size_t i = positional; i-- > 0;) order.push_back(&arguments[i]);
  std::vector<VARIANT> variants(order.size());
  for (VARIANT& variant : variants) VariantInit(&variant);
  struct Clear {
    std::vector<VARIANT>& variants;
    ~Clear() {
      for (VARIANT& variant : variants) VariantClear(&variant);
    }
  } clear{variants};
  for (size_t i = 0; i < order.size(); ++i) toVariant(*order[i], variants[i]);
  DISPPARAMS parameters{variants.data(), namedIds.data(), UINT(variants.size()),
                        UINT(namedIds.size())};

  WORD flags = DISPATCH_METHOD | DISPATCH_PROPERTYGET;
  if (kind == wire::InvokeKind::PROPERTY_GET) flags = DISPATCH_PROPERTYGET;
  if (kind == wire::InvokeKind::PROPERTY_PUT) flags = DISPATCH_PROPERTYPUT;
  if (kind == wire::InvokeKind::PROPERTY_PUT_REF) flags = DISPATCH_PROPERTYPUTREF;
  VARIANT result;
  VariantInit(&result);
  EXCEPINFO exception{};
  UINT badArgument = 0;
  HRESULT called = object->Invoke(ids[0], IID_NULL, LOCALE_USER_DEFAULT, flags, &parameters,
                                  put ? nullptr : &result, &exception, &badArgument);
  std::string call = where + (member.empty() ? std::string() : "." + member);
  if (called == DISP_E_EXCEPTION) throw comError(called, call, &exception);
  if (FAILED(called)) throw comError(called, call);
  ComValue value;
  try {
    value = fromVariant(result);
  } catch (...) {
    VariantClear(&result);
    throw;
  }
  VariantClear(&result);
  return value;
}

// [module thread] Every item of `object`'s _NewEnum.
std::vector<ComValue> enumerateItems(IDispatch* object, const std::string& where) {
  DISPPARAMS none{};
  VARIANT got;
  VariantInit(&got);
  EXCEPINFO exception{};
  HRESULT called = object->Invoke(DISPID_NEWENUM, IID_NULL, LOCALE_USER_DEFAULT,
                                  DISPATCH_METHOD | DISPATCH_PROPERTYGET, &none, &got, &exception,
                                  nullptr);
  if (called == DISP_E_EXCEPTION) throw comError(called, where + "._NewEnum", &exception);
  if (FAILED(called)) throw comError(called, where + "._NewEnum");
  IEnumVARIANT* items = nullptr;
  HRESULT asked = E_NOINTERFACE;
  if ((got.vt == VT_UNKNOWN || got.vt == VT_DISPATCH) && got.punkVal) {
    asked = got.punkVal->QueryInterface(IID_IEnumVARIANT, reinterpret_cast<void**>(&items));
  }
  VariantClear(&got);
  if (FAILED(asked)) throw comError(asked, where + "._NewEnum's IEnumVARIANT");
  std::vector<ComValue> out;
  try {
    for (;;) {
      VARIANT item;
      VariantInit(&item);
      ULONG fetched = 0;
      HRESULT next = items->Next(1, &item, &fetched);
      if (FAILED(next)) throw comError(next, where + " enumeration");
      if (fetched == 0) break;
      try {
        out.push_back(fromVariant(item));
      } catch (...) {
        VariantClear(&item);
        throw;
      }
      VariantClear(&item);
    }
  } catch (...) {
    items->Release();
    throw;
  }
  items->Release();
  return out;
}

}  // namespace bridge32

#endif  // _WIN32
