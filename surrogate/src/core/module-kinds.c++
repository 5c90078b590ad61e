// The one list of module kinds on the surrogate's side.
#include "com/com-kind.h"
#include "core/module-kind.h"
#include "library/library-kind.h"
#include "plugin/plugin-kind.h"

namespace bridge32 {

ModuleKinds allModuleKinds(ModuleThread& thread, HostOutbox& outbox,
                           std::shared_ptr<const SharedSegments> segments) {
  ModuleKinds kinds;
  kinds.emplace(wire::ModuleKind::SDK, kj::heap<PluginKind>(thread, outbox, PluginFormat::sdk));
  kinds.emplace(wire::ModuleKind::VST2,
                kj::heap<PluginKind>(thread, outbox, PluginFormat::vst2));
  kinds.emplace(wire::ModuleKind::LIBRARY,
                kj::heap<LibraryKind>(thread, outbox, std::move(segments)));
  kinds.emplace(wire::ModuleKind::COM, kj::heap<ComKind>(thread, outbox));
  return kinds;
}

}  // namespace bridge32
