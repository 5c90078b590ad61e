#include "core/module-timers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace bridge32 {

ModuleTimers::~ModuleTimers() {
  for (auto& [id, running] : running_) running->stopped = true;
}

uint32_t ModuleTimers::start(std::chrono::milliseconds period,
                            std::function<void(uint32_t id)> tick) {
  if (!timer_) return 0;
  uint32_t id = ++lastId_;
  auto running = std::make_shared<Running>(Running{id, std::move(tick)});
  running_.emplace(id, running);
  // The loop owns what it runs: a stopped timer ends at its next turn, outside its own tick.
  tickAfter(*timer_, std::max<int64_t>(period.count(), 1) * kj::MILLISECONDS, std::move(running))
      .detach([](kj::Exception&&) {});
  return id;
}

void ModuleTimers::stop(uint32_t id) {
  auto found = running_.find(id);
  if (found == running_.end()) return;
  found->second->stopped = true;
  running_.erase(found);
}

kj::Promise<void> ModuleTimers::tickAfter(kj::Timer& timer, kj::Duration period,
                                          std::shared_ptr<Running> running) {
  return timer.afterDelay(period).then([&timer, period, running]() -> kj::Promise<void> {
    if (running->stopped) return kj::READY_NOW;
    try {
      running->tick(running->id);
    } catch (const std::exception& error) {
      spdlog::warn("a plugin's timer failed: {}", error.what());
    }
    if (running->stopped) return kj::READY_NOW;
    return tickAfter(timer, period, running);
  });
}

}  // namespace bridge32
