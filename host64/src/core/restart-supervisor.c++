#include "core/restart-supervisor.h"

#include <algorithm>
#include <exception>
#include <string>

namespace bridge32 {

RestartSupervisor::RestartSupervisor(RestartPolicy policy, std::function<void()> restart,
                                     std::function<void(std::string_view, bool)> failed)
    : policy_(policy), restart_(std::move(restart)), failed_(std::move(failed)) {}

RestartSupervisor::~RestartSupervisor() { stop(); }

void RestartSupervisor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RestartSupervisor::stopped() {
  if (!policy_.automatic) return;
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (std::chrono::steady_clock::now() - runningSince_ >= policy_.stableAfter) attemptsInRow_ = 0;
  pending_ = true;
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
    threadId_ = thread_.get_id();
  }
  wake_.notify_all();
}

void RestartSupervisor::restarted(bool byHand) {
  std::lock_guard lock(mutex_);
  runningSince_ = std::chrono::steady_clock::now();
  if (byHand) attemptsInRow_ = 0;
}

void RestartSupervisor::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return pending_ || stopping_; });
    if (stopping_) return;
    pending_ = false;
    if (attemptsInRow_ >= policy_.maxAttempts) {
      std::string why = "it stopped again after " + std::to_string(attemptsInRow_) +
                        " automatic restarts in a row; it stays stopped until restart() (a "
                        "library's function or a COM object: until its next call)";
      lock.unlock();
      failed_(why, false);
      lock.lock();
      continue;
    }
    auto delay = policy_.firstDelay;
    for (uint32_t i = 0; i < attemptsInRow_ && delay < policy_.maxDelay; ++i) delay *= 2;
    delay = std::min(delay, policy_.maxDelay);
    ++attemptsInRow_;
    if (wake_.wait_for(lock, delay, [&] { return stopping_; })) return;
    lock.unlock();
    try {
      restart_();
    } catch (const std::exception& error) {
      lock.lock();
      bool willRetry = attemptsInRow_ < policy_.maxAttempts && !stopping_;
      if (willRetry) pending_ = true;
      lock.unlock();
      failed_(error.what(), willRetry);
    }
    lock.lock();
  }
}

}  // namespace bridge32
