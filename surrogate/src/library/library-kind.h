// The library kind in the surrogate: any DLL or shared object, its exports called by their C
// declarations (protocol/library.capnp's Library and Function) through ForeignLibrary.
#pragma once

#include "core/module-kind.h"

namespace bridge32 {

class LibraryKind final : public ModuleKind {
 public:
  LibraryKind(ModuleThread& thread, HostOutbox& outbox,
              std::shared_ptr<const SharedSegments> segments)
      : thread_(thread), outbox_(outbox), segments_(std::move(segments)) {}

  kj::Promise<void> load(LoadContext context, std::string path) override;

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  std::shared_ptr<const SharedSegments> segments_;
};

}  // namespace bridge32
