#include "com/host-dispatch.h"

#if _WIN32

#include <oleauto.h>

#include <utility>

#include "bridge32/error.h"
#include "com/com-check.h"
#include "com/variant.h"
#include "win32.h"

namespace bridge32 {

void HostDispatch::becomeSink(IID events, std::map<DISPID, std::string> names) {
  std::lock_guard lock(mutex_);
  events_ = events;
  names_ = std::move(names);
}

HRESULT HostDispatch::QueryInterface(REFIID iid, void** out) {
  bool sink;
  {
    std::lock_guard lock(mutex_);
    sink = IsEqualIID(iid, events_);
  }
  if (IsEqualIID(iid, IID_IUnknown) || IsEqualIID(iid, IID_IDispatch) || sink) {
    *out = static_cast<IDispatch*>(this);
    AddRef();
    return S_OK;
  }
  *out = nullptr;
  return E_NOINTERFACE;
}

ULONG HostDispatch::AddRef() { return ULONG(InterlockedIncrement(&references_)); }

ULONG HostDispatch::Release() {
  LONG left = InterlockedDecrement(&references_);
  if (left == 0) delete this;
  return ULONG(left);
}

HRESULT HostDispatch::GetTypeInfoCount(UINT* count) {
  *count = 0;
  return S_OK;
}

HRESULT HostDispatch::GetTypeInfo(UINT, LCID, ITypeInfo** info) {
  *info = nullptr;
  return E_NOTIMPL;
}

HRESULT HostDispatch::GetIDsOfNames(REFIID, LPOLESTR* names, UINT count, LCID, DISPID* ids) {
  if (count == 0) return S_OK;
  // Named arguments are not carried to the host: they have no DISPIDs here.
  for (UINT i = 1; i < count; ++i) ids[i] = DISPID_UNKNOWN;
  std::string name = win32::narrow(names[0]);
  std::lock_guard lock(mutex_);
  ids[0] = DISPID_UNKNOWN;
  for (const auto& [id, known] : names_) {
    if (sameComName(known, name)) ids[0] = id;
  }
  if (ids[0] == DISPID_UNKNOWN) {
    ids[0] = nextId_++;
    names_.emplace(ids[0], name);
  }
  return count > 1 ? DISP_E_UNKNOWNNAME : S_OK;
}

HRESULT HostDispatch::Invoke(DISPID id, REFIID, LCID, WORD flags, DISPPARAMS* parameters,
                             VARIANT* result, EXCEPINFO* exception, UINT* badArgument) {
  std::string member;
  {
    std::lock_guard lock(mutex_);
    auto known = names_.find(id);
    member = known != names_.end() ? known->second : "#" + std::to_string(id);
  }
  bool put = flags & (DISPATCH_PROPERTYPUT | DISPATCH_PROPERTYPUTREF);
  wire::InvokeKind kind = wire::InvokeKind::METHOD;
  if (flags & DISPATCH_PROPERTYPUTREF) {
    kind = wire::InvokeKind::PROPERTY_PUT_REF;
  } else if (flags & DISPATCH_PROPERTYPUT) {
    kind = wire::InvokeKind::PROPERTY_PUT;
  } else if (!(flags & DISPATCH_METHOD)) {
    kind = wire::InvokeKind::PROPERTY_GET;
  }
  UINT named = parameters ? parameters->cNamedArgs : 0;
  if (named > (put ? 1u : 0u) ||
      (put && (named != 1 || parameters->rgdispidNamedArgs[0] != DISPID_PROPERTYPUT))) {
    return DISP_E_NONAMEDARGS;
  }

  // The arguments in the order a caller writes them (DISPPARAMS has them last to first), a put's
  // value last.
  std::vector<UINT> order;
  for (UINT i = parameters ? parameters->cArgs : 0; i-- > named;) order.push_back(i);
  if (put) order.push_back(0);
  std::vector<ComValue> arguments;
  for (UINT i : order) {
    try {
      arguments.push_back(fromVariant(parameters->rgvarg[i]));
    } catch (const Error&) {
      if (badArgument) *badArgument = i;
      return DISP_E_TYPEMISMATCH;
    }
  }

  try {
    ComValue value = call_(member, kind, std::move(arguments));
    if (result) toVariant(value, *result);
    return S_OK;
  } catch (const Error& error) {
    // The host's object failed: an exception, as automation raises them.
    if (exception) {
      *exception = EXCEPINFO{};
      exception->scode = error.com() && error.com()->code ? error.com()->code : E_FAIL;
      exception->bstrSource = SysAllocString(L"bridge32 host");
      exception->bstrDescription = SysAllocString(win32::wide(error.message()).c_str());
    }
    return DISP_E_EXCEPTION;
  }
}

}  // namespace bridge32

#endif
