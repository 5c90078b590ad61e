// The one list of module kinds on the surrogate's side.
#include "core/module-kind.h"
#include "library/library-kind.h"
#include "sdk/sdk-kind.h"

namespace bridge32 {

ModuleKinds allModuleKinds(PluginThread& plugins, HostOutbox& outbox) {
  ModuleKinds kinds;
  kinds.emplace(wire::ModuleKind::SDK, kj::heap<SdkKind>(plugins, outbox));
  kinds.emplace(wire::ModuleKind::LIBRARY, kj::heap<LibraryKind>(plugins, outbox));
  return kinds;
}

}  // namespace bridge32
