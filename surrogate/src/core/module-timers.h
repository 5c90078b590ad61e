// Timers on the module thread, for the editors that need them (EditorHost::startTimer): X11
// editors read their own display connection when VST2's effEditIdle or the SDK's timer
// extension gives them a turn.
#pragma once

#include <kj/timer.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace bridge32 {

// [module thread] Everything, from creation to destruction, which stops every timer left.
class ModuleTimers {
 public:
  // `timer` is the module thread's event loop's; without one, start() returns 0.
  explicit ModuleTimers(kj::Timer* timer) : timer_(timer) {}
  ~ModuleTimers();
  ModuleTimers(const ModuleTimers&) = delete;
  ModuleTimers& operator=(const ModuleTimers&) = delete;

  // Calls `tick(id)` every `period` (at least 1 ms) from the event loop until stop(id); returns
  // the timer's id, never 0 (0: no timer here). What `tick` throws is logged and the timer goes
  // on.
  uint32_t start(std::chrono::milliseconds period, std::function<void(uint32_t id)> tick);
  // `tick` is not called again, even when the timer is due; a no-op for an id not running. May be
  // called from inside the timer's own tick.
  void stop(uint32_t id);

 private:
  struct Running {
    uint32_t id;
    std::function<void(uint32_t id)> tick;
    bool stopped = false;
  };
  static kj::Promise<void> tickAfter(kj::Timer& timer, kj::Duration period,
                                     std::shared_ptr<Running> running);

  kj::Timer* timer_;
  uint32_t lastId_ = 0;
  std::map<uint32_t, std::shared_ptr<Running>> running_;
};

}  // namespace bridge32
