// Connection points of a COM object, in the surrogate (Windows): the object's default source of
// events, and a sink connected to it for as long as the host keeps the connection.
#pragma once
#if _WIN32

#include <ocidl.h>

#include <map>
#include <string>

namespace bridge32 {

// [module thread] The default source of events of `object`: the dispinterface its class
// information marks [default, source], with its events' names; without class information, the
// first connection point the object lists, its events known by DISPID only.
struct EventSource {
  IID iid = IID_NULL;
  std::string name;  // the events' interface, "DProbeEvents"
  std::map<DISPID, std::string> events;
};

// [module thread] `object`'s default source of events, found through `container` when its class
// information names none. Throws Error(unsupported) naming `where` when it has none.
EventSource eventSourceOf(IDispatch* object, IConnectionPointContainer* container,
                          const std::string& where);

// A connected sink: disconnected (on the module thread) when the host releases the connection.
struct EventConnection {
  IConnectionPoint* point = nullptr;
  DWORD cookie = 0;
  ~EventConnection() {
    if (!point) return;
    point->Unadvise(cookie);
    point->Release();
  }
};

}  // namespace bridge32

#endif  // _WIN32
