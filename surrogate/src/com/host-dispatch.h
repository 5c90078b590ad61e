// An object of the host's, as COM objects in the surrogate see it: an IDispatch whose calls go
// to the host (a callback target passed as an argument, an event sink). Names are the host's
// business: GetIDsOfNames gives every name a DISPID of its own, and an event sink knows the
// names of the events' DISPIDs from the source's type information.
#pragma once

#if _WIN32

#include <oaidl.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bridge32/com-value.h"
#include "com.capnp.h"

namespace bridge32 {

class HostDispatch final : public IDispatch {
 public:
  // [the calling thread] Calls the host's object and waits for its answer; throws Error.
  using Call = std::function<ComValue(const std::string& member, wire::InvokeKind kind,
                                      std::vector<ComValue> arguments)>;

  explicit HostDispatch(Call call) : call_(std::move(call)) {}

  // Makes this a sink for events of dispinterface `events` (answered to QueryInterface
  // besides IUnknown and IDispatch), whose DISPIDs stand for `names`, when known.
  void becomeSink(IID events, std::map<DISPID, std::string> names);

  HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, void** out) override;
  ULONG STDMETHODCALLTYPE AddRef() override;
  ULONG STDMETHODCALLTYPE Release() override;
  HRESULT STDMETHODCALLTYPE GetTypeInfoCount(UINT* count) override;
  HRESULT STDMETHODCALLTYPE GetTypeInfo(UINT index, LCID locale, ITypeInfo** info) override;
  HRESULT STDMETHODCALLTYPE GetIDsOfNames(REFIID iid, LPOLESTR* names, UINT count, LCID locale,
                                          DISPID* ids) override;
  HRESULT STDMETHODCALLTYPE Invoke(DISPID id, REFIID iid, LCID locale, WORD flags,
                                   DISPPARAMS* parameters, VARIANT* result, EXCEPINFO* exception,
                                   UINT* badArgument) override;

 private:
  ~HostDispatch() = default;

  Call call_;
  LONG references_ = 1;
  std::mutex mutex_;  // guards events_, names_ and nextId_
  IID events_ = IID_IDispatch;
  std::map<DISPID, std::string> names_;
  DISPID nextId_ = 0x10000;  // above the DISPIDs a source's events use
};

}  // namespace bridge32

#endif
