// The COM module kind in the surrogate: a class by ProgID or {CLSID}, its objects created in this
// process (CLSCTX_INPROC_SERVER) on the module thread, which is a single-threaded apartment that
// dispatches window messages, and used by late binding (IDispatch). Every object the host holds
// is a ComObject capability here; the object is released when the host drops it or hangs up.
// Windows only: elsewhere a load says COM is a Windows facility.
#pragma once

#include <memory>

#include "core/module-kind.h"

namespace bridge32 {

class ComSession;

class ComKind final : public ModuleKind {
 public:
  ComKind(ModuleThread& thread, HostOutbox& outbox) : thread_(thread), outbox_(outbox) {}
  kj::Promise<void> load(LoadContext context, std::string path) override;

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  std::shared_ptr<ComSession> session_;  // [serving thread] made by the first load (Windows)
};

}  // namespace bridge32
