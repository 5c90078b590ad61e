// A module loaded in a (shared) surrogate, and loaded again in the surrogate that replaces it
// when it stops; the module and what it made (instances, functions) share it. Kind-neutral: the
// kind reads what Session.load answered and hands back its capability.
#pragma once

#include <capnp/capability.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "bridge32.capnp.h"
#include "bridge32/surrogate.h"
#include "core/call-rules.h"
#include "core/event-loop-thread.h"
#include "core/rebind-guard.h"
#include "core/shared-surrogate.h"
#include "core/surrogate-client.h"

namespace bridge32 {

class ModuleLink {
 public:
  // The module as loaded in one surrogate process.
  struct Loaded {
    std::shared_ptr<SurrogateClient> client;
    // Declared after the client, so destroyed first when a Loaded is (not when one is assigned:
    // keep the old value alive until after the assignment).
    std::shared_ptr<LoopOwned<capnp::Capability::Client>> module;

    // [loop thread] The module's capability as the kind's interface.
    template <typename Interface>
    typename Interface::Client as() const {
      return module->get().castAs<Interface>();
    }
  };

  // [loop thread] Reads a load's answer, the first time and after every reload (`first` false),
  // and returns the module's capability; throws if the module is not what it was.
  using Accept =
      std::function<capnp::Capability::Client(wire::LoadedModule::Reader answer, bool first)>;

  // Loads `path` as a module of `kind` into `surrogate` (a new one if it stopped).
  ModuleLink(std::shared_ptr<LiveSurrogate> surrogate, wire::ModuleKind kind,
             const std::filesystem::path& path, const LoadOptions& options, Accept accept);
  // The surrogate unloads the module when it drops the last reference to it; a round trip after
  // the release has that done before this returns, so the module's file is free again.
  ~ModuleLink();
  ModuleLink(const ModuleLink&) = delete;
  ModuleLink& operator=(const ModuleLink&) = delete;

  const CallRules& rules() const { return rules_; }

  // [any-thread] The module as loaded now, running or not.
  Loaded current() const;
  // [any-thread] The module in a running surrogate: the current one, or, once that stopped, the
  // surrogate that replaces it, with the module loaded again.
  Loaded running();

 private:
  Loaded load(std::shared_ptr<SurrogateClient> client, bool first);

  std::shared_ptr<LiveSurrogate> surrogate_;
  wire::ModuleKind kind_;
  CallRules rules_;
  std::chrono::milliseconds startTimeout_;
  Accept accept_;
  // Held while the module loads again, which on Windows dispatches window messages: a window
  // procedure that needs the module meanwhile is refused rather than deadlocked (RebindGuard).
  RebindGuard reload_;
  mutable std::mutex mutex_;  // guards loaded_, briefly
  Loaded loaded_;
};

}  // namespace bridge32
