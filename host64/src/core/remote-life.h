// The current life of something a module made in a surrogate (a plugin instance, a bound
// function, a COM object), the same for every kind: the Binding its calls go through, the loss of
// its surrogate reported once, and bringing it back in the surrogate that replaces a stopped one
// (by hand, when next used, or when its module's RestartPolicy restarts it by itself), one thread
// at a time as RebindGuard says. A kind says only how to make the thing in a surrogate and what a
// new life must be given of the old one.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "core/binding.h"
#include "core/module-link.h"
#include "core/rebind-guard.h"
#include "logging.h"

namespace bridge32 {

// When a life whose surrogate stopped comes back.
enum class Comeback {
  never,      // made by another remote thing (an object a COM object returned): gone with it
  onRestart,  // restart() by hand, or the module's RestartPolicy: a plugin, whose state the
              // application restores or lets bridge32 restore, is not brought back behind its back
  onUse,      // also when next used: a function, an object its class made
};

template <typename Capability>
class RemoteLife final : public Revivable,
                         public std::enable_shared_from_this<RemoteLife<Capability>> {
 public:
  using Life = Binding<Capability>;

  // What the kind knows. Hooks run with no lock of the life's held but its RebindGuard (see each).
  class Kind {
   public:
    // The thing made again in `loaded`'s surrogate, which runs.
    virtual std::unique_ptr<Capability> make(const ModuleLink::Loaded& loaded) = 0;
    // Gives a new life what the host knows of the old one (state, properties, connections,
    // lanes). Throws only when the new life cannot live (its surrogate stopped); a value the
    // module refuses is the kind's to log.
    virtual void restore(Life& fresh) = 0;
    // The current life stopped, once per life: on the lost surrogate's loop thread, or in a
    // bringBack that came first. May destroy the owner of this life.
    virtual void stopped(const std::string& /*why*/) {}
    // A new life runs: in bringBack, its guard held.
    virtual void restarted() {}
    // The module's automatic restart failed, and this life is still stopped.
    virtual void restartFailed(std::string_view /*why*/, bool /*willRetry*/) {}

   protected:
    ~Kind() = default;
  };

  // The thing `kind` made in `client`'s surrogate as its first life, named `what` in messages
  // ("plugin 'Gain'", "function 'f'"). The owner keeps the life and closes it before `kind` goes.
  // Throws Error(disconnected) if the surrogate is lost already.
  static std::shared_ptr<RemoteLife> start(std::shared_ptr<ModuleLink> link, Kind& kind,
                                           std::string what, Comeback comeback,
                                           std::shared_ptr<SurrogateClient> client,
                                           std::unique_ptr<Capability> first) {
    auto life = std::shared_ptr<RemoteLife>(
        new RemoteLife(std::move(link), kind, std::move(what), comeback));
    life->current_ = life->bind(std::move(client), std::move(first));
    if (comeback != Comeback::never) life->link_->remember(life);
    return life;
  }

  ~RemoteLife() override = default;
  RemoteLife(const RemoteLife&) = delete;
  RemoteLife& operator=(const RemoteLife&) = delete;

  // Ends the life's use of its kind: the owner calls it first thing in its destructor. A stop
  // report or a bringBack in progress on another thread finishes first, and no hook runs after.
  // From inside a hook (the application destroying a plugin in pluginStopped, say) the bringBack
  // running it stops at the hook's return.
  void close() {
    closed_ = true;
    std::shared_ptr<Life> last = current();
    last->client->wakeLossWaiters();  // a bringBack waiting for this life's stop report
    last->client->removeLostListener(last->lostListener);
    if (!guard_.heldHere()) RebindGuard::Scope wait(guard_, what_);
  }

  const std::string& what() const { return what_; }

  // [any-thread] The current life, running or not.
  std::shared_ptr<Life> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  // [any-thread] False once the current life's surrogate stopped.
  bool isRunning() const { return !current()->client->isLost(); }

  // [any-thread] The life calls should use: with Comeback::onUse one that runs, brought back if
  // its surrogate stopped; otherwise the current one, whose calls then fail as disconnected.
  std::shared_ptr<Life> running() {
    std::shared_ptr<Life> life = current();
    if (comeback_ != Comeback::onUse || !life->client->isLost()) return life;
    bringBack(false);
    return current();
  }

  // [any-thread] Brings the thing back in the module's running surrogate (starting one if need
  // be) with what it had, unless it runs; false if it did not have to. `byHand` (restart()) earns
  // back the attempts of the module's RestartPolicy. Throws what the new surrogate or the making
  // threw, Error(disconnected) if the new life stopped as it was made or cannot come back
  // (Comeback::never), Error(badState) from inside a bringBack on the same thread (RebindGuard).
  bool bringBack(bool byHand) override {
    if (comeback_ == Comeback::never) {
      throw Error(Error::Kind::disconnected,
                  what_ + " cannot be made again: it came from another object of its surrogate, "
                          "which stopped");
    }
    auto self = this->shared_from_this();  // a hook may destroy the owner, and its hold on this
    if (closed_) return false;  // the owner let go: nothing to wait for
    // Its stop is told before it comes back; waited for outside the guard, which a stop report
    // (the application restarting the plugin from pluginStopped, say) may take.
    // The owner letting go meanwhile (from inside that stop report, say) ends the wait.
    current()->client->awaitLossTold(std::chrono::seconds(5), [this] { return closed_.load(); });
    RebindGuard::Scope scope(guard_, what_);
    if (closed_ || isRunning()) return false;
    std::shared_ptr<Life> old = current();
    // Not told within awaitLossTold's limit: told here, once.
    reportStop(*old, "the surrogate of " + what_ + " (pid " + std::to_string(old->client->pid()) +
                         ") stopped");
    if (closed_) return false;
    ModuleLink::Loaded loaded = link_->running();
    std::shared_ptr<Life> fresh = bind(loaded.client, kind_.make(loaded));
    kind_.restore(*fresh);
    if (closed_) return false;
    {
      std::lock_guard lock(mutex_);
      std::swap(current_, fresh);
    }
    // The stopped life's remains (`fresh` now) go before anything that may take long.
    fresh.reset();
    old.reset();
    std::shared_ptr<Life> now = current();
    if (now->client->isLost()) {  // lost before it was current: its listener said nothing
      reportStop(*now, "its surrogate stopped as it came back");
      throw Error(Error::Kind::disconnected, what_ + " stopped again as it came back");
    }
    if (byHand) link_->restartedByHand();
    logging::info("{} of '{}' is back, in surrogate {}", what_, utf8(link_->rules().modulePath),
                  now->client->pid());
    if (!closed_) kind_.restarted();
    return true;
  }

  void restartFailed(std::string_view why, bool willRetry) override {
    if (guard_.heldHere()) return;  // from inside a hook of its own bringBack: it says so itself
    RebindGuard::Scope scope(guard_, what_);  // close() waits for the hook
    if (closed_ || isRunning()) return;
    kind_.restartFailed(why, willRetry);
  }

 private:
  RemoteLife(std::shared_ptr<ModuleLink> link, Kind& kind, std::string what, Comeback comeback)
      : link_(std::move(link)), kind_(kind), what_(std::move(what)), comeback_(comeback) {}

  // A life of `capability` in `client`'s surrogate that reports the surrogate's loss; throws
  // Error(disconnected) when that is lost already.
  std::shared_ptr<Life> bind(std::shared_ptr<SurrogateClient> client,
                             std::unique_ptr<Capability> capability) {
    auto life = std::make_shared<Life>(std::move(client), std::move(capability));
    life->lostListener = life->client->addLostListener(
        [this, raw = life.get()](const std::string& why) { reportStop(*raw, why); });
    if (life->lostListener == 0) {
      throw Error(Error::Kind::disconnected,
                  what_ + ": its surrogate (pid " + std::to_string(life->client->pid()) +
                      ") stopped as it was made");
    }
    return life;
  }

  // Reports `life`'s stop, once, if it is the current life and the owner has not closed this.
  void reportStop(Life& life, const std::string& why) {
    std::unique_lock lock(mutex_);
    if (closed_ || current_.get() != &life || life.stopReported.exchange(true)) return;
    lock.unlock();
    kind_.stopped(why);  // last: it may destroy the owner, and close this
  }

  std::shared_ptr<ModuleLink> link_;
  Kind& kind_;
  const std::string what_;
  const Comeback comeback_;
  RebindGuard guard_;
  std::atomic<bool> closed_{false};
  mutable std::mutex mutex_;  // guards current_, briefly
  // Declared last: its loss listener goes before anything it uses.
  std::shared_ptr<Life> current_;
};

}  // namespace bridge32
