// A module loaded in a (shared) surrogate, and loaded again in the surrogate that replaces it
// when it stops: when next needed, or by itself as its RestartPolicy says, bringing back what it
// made (instances, functions, objects: RemoteLife) with it. The module and what it made share
// it. Kind-neutral: the kind reads what Session.load answered and hands back its capability.
#pragma once

#include <capnp/capability.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "bridge32.capnp.h"
#include "bridge32/surrogate.h"
#include "core/call-rules.h"
#include "core/event-loop-thread.h"
#include "core/rebind-guard.h"
#include "core/restart-supervisor.h"
#include "core/shared-surrogate.h"
#include "core/surrogate-client.h"

namespace bridge32 {

// What a module made in its surrogate, as its ModuleLink brings it back (core/remote-life.h).
class Revivable {
 public:
  virtual ~Revivable() = default;
  // Brings it back in the module's running surrogate unless it runs; true if it did.
  virtual bool bringBack(bool byHand) = 0;
  // The module's automatic restart failed.
  virtual void restartFailed(std::string_view why, bool willRetry) = 0;
};

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

  // Loads `path` as a module of `kind` into `surrogate` (a new one if it stopped); restarts it as
  // `options.restart` says, and tells `options.events` of its stops and restarts. Held by the
  // module and what it made; its last holder may go on any thread, the restarting one included.
  static std::shared_ptr<ModuleLink> make(std::shared_ptr<LiveSurrogate> surrogate,
                                          wire::ModuleKind kind, const std::filesystem::path& path,
                                          const LoadOptions& options, Accept accept);
  ModuleLink(const ModuleLink&) = delete;
  ModuleLink& operator=(const ModuleLink&) = delete;

  const CallRules& rules() const { return rules_; }

  // [any-thread] The module as loaded now, running or not.
  Loaded current() const;
  // [any-thread] The module in a running surrogate: the current one, or, once that stopped (and
  // its stop was told), the surrogate that replaces it, with the module loaded again.
  Loaded running();

  // [any-thread] `life` comes back with the module when the RestartPolicy restarts it; held
  // weakly.
  void remember(std::weak_ptr<Revivable> life);
  // [any-thread] Something of the module was brought back by hand, which earns back the
  // RestartPolicy's attempts.
  void restartedByHand() { supervisor_.restarted(true); }

 private:
  ModuleLink(std::shared_ptr<LiveSurrogate> surrogate, wire::ModuleKind kind,
             const std::filesystem::path& path, const LoadOptions& options, Accept accept);
  // Ends automatic restarts first. The surrogate unloads the module when it drops the last
  // reference to it; a round trip after the release has that done before this returns, so the
  // module's file is free again. Never on the RestartSupervisor's thread (see make()).
  ~ModuleLink();

  struct Running {
    Loaded loaded;
    bool reloaded = false;  // the module had to be loaded again
  };
  Running ensureRunning();
  Loaded load(std::shared_ptr<SurrogateClient> client, bool first);
  // Listens for the loss of `client`, the module's new surrogate; throws Error(disconnected) if
  // it is lost already.
  void watch(const std::shared_ptr<SurrogateClient>& client);
  // [any-thread] What it made that is still there.
  std::vector<std::shared_ptr<Revivable>> lives();
  // [supervisor's thread] Loads the module again and brings back what it made.
  void restartByItself();

  std::shared_ptr<LiveSurrogate> surrogate_;
  wire::ModuleKind kind_;
  CallRules rules_;
  std::chrono::milliseconds startTimeout_;
  Accept accept_;
  ModuleEvents events_;
  // False from the start of the destructor; a lost-listener keeps a copy (see watch()).
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  // Held while the module loads again, which on Windows dispatches window messages: a window
  // procedure that needs the module meanwhile is refused rather than deadlocked (RebindGuard).
  RebindGuard reload_;
  mutable std::mutex mutex_;  // guards loaded_, watched_ and lives_, briefly
  Loaded loaded_;
  // The surrogates the module was loaded in, and the listener for the loss of each.
  std::vector<std::pair<std::weak_ptr<SurrogateClient>, uint64_t>> watched_;
  std::vector<std::weak_ptr<Revivable>> lives_;
  RestartSupervisor supervisor_;  // stopped first in the destructor
};

}  // namespace bridge32
