// The one re-entrancy rule for bringing back what a module made in a surrogate (a function
// bound again, a COM object made again, a plugin restarted), the same for every kind: one thread
// at a time does it and the others wait for it; the thread doing it that comes back in (a window
// procedure dispatched while it waits on the surrogate, as Windows threads do) is refused with
// Error(badState) naming what it wanted, rather than deadlocking on its own lock or using a life
// half made.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "bridge32/error.h"

namespace bridge32 {

class RebindGuard {
 public:
  // Holds the guard for the calling thread until destroyed: waits for another thread's hold,
  // throws Error(badState) naming `what` ("function 'f'", "plugin 'Gain'") when this thread holds
  // it already.
  class Scope {
   public:
    Scope(RebindGuard& guard, std::string_view what) : guard_(guard) {
      if (guard.owner_.load() == std::this_thread::get_id()) {
        throw Error(Error::Kind::badState,
                    std::string(what) + " is being brought back on this thread already (a call "
                    "from inside that, from a window procedure say, cannot wait for it)");
      }
      lock_ = std::unique_lock(guard.mutex_);
      guard.owner_ = std::this_thread::get_id();
    }
    ~Scope() { guard_.owner_ = std::thread::id(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    RebindGuard& guard_;
    std::unique_lock<std::mutex> lock_;
  };

  // [any-thread] Whether this thread holds the guard.
  bool heldHere() const { return owner_.load() == std::this_thread::get_id(); }

  // The life `running()` finds (empty when it is gone), else the one `bringBack()` makes under
  // the guard, named `what` as Scope says; a thread that waited for another's finds that one.
  template <typename Running, typename BringBack>
  auto runningOr(std::string_view what, Running&& running, BringBack&& bringBack) {
    if (auto life = running()) return life;
    Scope scope(*this, what);
    if (auto life = running()) return life;  // another thread brought it back meanwhile
    return bringBack();
  }

 private:
  std::mutex mutex_;
  std::atomic<std::thread::id> owner_;
};

}  // namespace bridge32
