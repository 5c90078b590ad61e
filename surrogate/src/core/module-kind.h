// A module kind, as the surrogate serves it: how a module of the kind loads and what capability
// stands for it. The session (core/surrogate-server.c++) dispatches Session.load to the kind the
// host names; everything else a kind serves hangs off the capability it answers with.
#pragma once

#include <kj/async.h>
#include <kj/memory.h>

#include <map>
#include <string>

#include "bridge32.capnp.h"
#include "core/host-outbox.h"
#include "core/module-thread.h"
#include "transport/shared-segments.h"

namespace bridge32 {

// Session.load's call context.
using LoadContext = capnp::CallContext<wire::Session::LoadParams, wire::Session::LoadResults>;

class ModuleKind {
 public:
  virtual ~ModuleKind() = default;

  // [serving thread] Loads the module at the UTF-8 `path` on the module thread and answers
  // `context` with its capability (an error answer if it cannot load).
  virtual kj::Promise<void> load(LoadContext context, std::string path) = 0;
};

// The kinds this surrogate serves, by the protocol's name for them.
using ModuleKinds = std::map<wire::ModuleKind, kj::Own<ModuleKind>>;

// Every kind bridge32 has, serving modules on `thread` and calling the host through `outbox`
// (module-kinds.c++: the one list of kinds on this side).
// `segments`: the memory the host shares for the large values of calls.
ModuleKinds allModuleKinds(ModuleThread& thread, HostOutbox& outbox,
                           std::shared_ptr<const SharedSegments> segments);

}  // namespace bridge32
