#include "com/event-sources.h"
#if _WIN32

#include "bridge32/error.h"
#include "com/type-info.h"

namespace bridge32 {

namespace {

// [module thread] The [default, source] interface of `object`'s class, or null.
ITypeInfo* defaultSourceOf(IDispatch* object) {
  IProvideClassInfo* provider = nullptr;
  if (FAILED(object->QueryInterface(IID_IProvideClassInfo, reinterpret_cast<void**>(&provider)))) {
    return nullptr;
  }
  ITypeInfo* coclass = nullptr;
  HRESULT got = provider->GetClassInfo(&coclass);
  provider->Release();
  if (FAILED(got)) return nullptr;
  ITypeInfo* source = nullptr;
  TYPEATTR* attributes = nullptr;
  if (SUCCEEDED(coclass->GetTypeAttr(&attributes))) {
    for (UINT i = 0; i < attributes->cImplTypes && !source; ++i) {
      INT flags = 0;
      HREFTYPE reference = 0;
      constexpr INT kWanted = IMPLTYPEFLAG_FDEFAULT | IMPLTYPEFLAG_FSOURCE;
      if (SUCCEEDED(coclass->GetImplTypeFlags(i, &flags)) && (flags & kWanted) == kWanted &&
          SUCCEEDED(coclass->GetRefTypeOfImplType(i, &reference))) {
        coclass->GetRefTypeInfo(reference, &source);
      }
    }
    coclass->ReleaseTypeAttr(attributes);
  }
  coclass->Release();
  return source;
}

}  // namespace

EventSource eventSourceOf(IDispatch* object, IConnectionPointContainer* container,
                          const std::string& where) {
  EventSource source;
  if (ITypeInfo* events = defaultSourceOf(object)) {
    TYPEATTR* attributes = nullptr;
    if (SUCCEEDED(events->GetTypeAttr(&attributes))) {
      source.iid = attributes->guid;
      for (UINT i = 0; i < attributes->cFuncs; ++i) {
        FUNCDESC* function = nullptr;
        if (FAILED(events->GetFuncDesc(i, &function))) continue;
        source.events.emplace(function->memid, memberName(events, function->memid));
        events->ReleaseFuncDesc(function);
      }
      events->ReleaseTypeAttr(attributes);
    }
    source.name = memberName(events, MEMBERID_NIL);
    events->Release();
    if (source.iid != IID_NULL) return source;
  }
  IEnumConnectionPoints* points = nullptr;
  IConnectionPoint* point = nullptr;
  HRESULT listed = container->EnumConnectionPoints(&points);
  if (SUCCEEDED(listed)) {
    ULONG fetched = 0;
    listed = points->Next(1, &point, &fetched);
    if (listed == S_OK && fetched == 1) {
      point->GetConnectionInterface(&source.iid);
      point->Release();
    }
    points->Release();
  }
  if (source.iid == IID_NULL) {
    throw Error(Error::Kind::unsupported,
                where + " has no default source of events: its class information names none "
                        "and it lists no connection points");
  }
  source.name = guidText(source.iid);
  return source;
}

}  // namespace bridge32

#endif  // _WIN32
