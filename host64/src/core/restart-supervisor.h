// Restart supervision, the same for every module kind.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

#include "bridge32/surrogate.h"

namespace bridge32 {

// Restarts a stopped module (a plugin instance, a library) by itself as a RestartPolicy says:
// on a thread of its own, after a back-off, a limited number of times in a row.
class RestartSupervisor {
 public:
  // `restart` brings the module back (throwing when it cannot); `failed` reports an attempt that
  // did not.
  RestartSupervisor(RestartPolicy policy, std::function<void()> restart,
                    std::function<void(std::string_view why, bool willRetry)> failed);
  ~RestartSupervisor();
  RestartSupervisor(const RestartSupervisor&) = delete;
  RestartSupervisor& operator=(const RestartSupervisor&) = delete;

  // Ends automatic restarts, waiting for an attempt in progress.
  void stop();
  // [any-thread] The module stopped: restart it if the policy says so.
  void stopped();
  // [any-thread] The module runs again; `byHand` (restart()) also resets the count of attempts.
  void restarted(bool byHand);
  // [any-thread] Whether this is the thread that restarts.
  bool onItsThread() const { return std::this_thread::get_id() == threadId_.load(); }

 private:
  void run();

  RestartPolicy policy_;
  std::function<void()> restart_;
  std::function<void(std::string_view, bool)> failed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  uint32_t attemptsInRow_ = 0;
  std::chrono::steady_clock::time_point runningSince_ = std::chrono::steady_clock::now();
  std::thread thread_;
  std::atomic<std::thread::id> threadId_;
};

}  // namespace bridge32
