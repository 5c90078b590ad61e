// The one list of module kinds on the surrogate's side.
#include "core/module-kind.h"
#include "sdk/sdk-kind.h"

namespace bridge32 {

ModuleKinds allModuleKinds(PluginThread& plugins, HostOutbox& outbox) {
  ModuleKinds kinds;
  kinds.emplace(wire::ModuleKind::SDK, kj::heap<SdkKind>(plugins, outbox));
  return kinds;
}

}  // namespace bridge32
