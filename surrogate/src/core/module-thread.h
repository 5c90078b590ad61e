// The thread a surrogate runs module code on, seen from the thread that serves the connection.
//
// Modules of every kind (plugins, libraries, COM servers) are loaded, called and unloaded on one
// thread, as the SDK promises plugins ([main-thread]) and COM's single-threaded apartment wants:
// the surrogate's main thread, which on Windows also dispatches the messages of the modules'
// windows. The serving thread owns the connection to the host and hands each call over, so it
// stays free to send what modules say while a call runs (see HostOutbox), from whichever thread
// they say it.
#pragma once

#include <kj/async.h>
#include <kj/timer.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "bridge32/error.h"

namespace bridge32 {

// What work on the module thread came to: its value, or the Error it threw. Any other exception
// becomes Error::Kind::failed: the surrogate keeps serving and the host decides.
template <typename T>
struct Outcome {
  std::optional<T> value;
  std::optional<Error> error;
};

// The value of work that returns nothing.
struct Done {};

class ModuleThread {
 public:
  // [module thread] Resolves when the doorbell `handle` (an eventfd on Linux, an event on Windows)
  // is rung: the module thread's event loop watches lanes' doorbells (core/lane-server.h).
  using DoorbellWatch = std::function<kj::Promise<void>(intptr_t handle)>;

  // `executor` is the module thread's event loop's; it may be the serving thread's own (the
  // in-memory protocol tests serve and run modules on one thread). Without `watch`, the thread
  // serves no lanes: hot calls then all come over the connection. `timer` is the loop's: without
  // it, modules get no timers (EditorHost::startTimer), which X11 editors need.
  explicit ModuleThread(const kj::Executor& executor, DoorbellWatch watch = nullptr,
                        kj::Timer* timer = nullptr)
      : executor_(executor.addRef()), watch_(std::move(watch)), timer_(timer) {}

  // [module thread] See DoorbellWatch; null when this thread cannot watch doorbells.
  const DoorbellWatch& doorbellWatch() const { return watch_; }
  // [module thread] The module thread's timer, or null.
  kj::Timer* timer() const { return timer_; }

  // [any-thread] Runs `work()` on the module thread, after what was handed over before it, without
  // waiting for it. An exception it throws is dropped.
  template <typename Work>
  void post(Work&& work) {
    executor_->executeAsync([work = kj::fwd<Work>(work)]() mutable {
      try {
        work();
      } catch (...) {
      }
    }).detach([](kj::Exception&&) {
      // The module thread's loop is gone (the surrogate is ending).
    });
  }

  // [serving thread] Runs `work()` on the module thread. Work handed over this way runs one piece
  // at a time, in the order it was handed over.
  template <typename Work>
  auto run(Work&& work) {
    using Result = std::invoke_result_t<Work&>;
    using Value = std::conditional_t<std::is_void_v<Result>, Done, Result>;
    return executor_->executeAsync([work = kj::fwd<Work>(work)]() mutable {
      Outcome<Value> outcome;
      try {
        if constexpr (std::is_void_v<Result>) {
          work();
          outcome.value.emplace();
        } else {
          outcome.value.emplace(work());
        }
      } catch (const Error& error) {
        outcome.error = error;
      } catch (const std::exception& exception) {
        outcome.error = Error(Error::Kind::failed, exception.what());
      } catch (...) {
        outcome.error = Error(Error::Kind::failed, "an exception that is not a std::exception");
      }
      return outcome;
    });
  }

  // [serving thread] Destroys `value` on the module thread (an instance's destroy(), a module's
  // deinit and unload) after the work handed over before it; work handed over after it finds it
  // gone. It does not wait: the module thread may be in a call that waits for this thread (a
  // library's callback to the host), which a wait here would never let finish.
  template <typename T>
  void release(T&& value) {
    if (!value) return;
    executor_->executeAsync([gone = std::move(value)]() mutable { auto last = std::move(gone); })
        .detach([](kj::Exception&&) {
          // The module thread's loop is gone (the surrogate is ending): so are the modules.
        });
  }

  // [serving thread] Waits until everything released so far is gone: before this thread's
  // event loop ends, which would otherwise destroy what is still queued here, on this thread.
  // The loop turns meanwhile: what goes may need this thread (a COM object releasing an event
  // sink of the host's, whose capability is released here).
  void drain(kj::WaitScope& waitScope) {
    try {
      executor_->executeAsync([] {}).wait(waitScope);
    } catch (const kj::Exception&) {
      // The module thread's loop is gone, and with it what was queued.
    }
  }

 private:
  kj::Own<const kj::Executor> executor_;
  DoorbellWatch watch_;
  kj::Timer* timer_;
};

// A module-thread object held from the serving thread, and destroyed on the module thread.
template <typename T>
class ModuleOwned {
 public:
  ModuleOwned(ModuleThread& thread, std::unique_ptr<T> value)
      : thread_(&thread), value_(std::move(value)) {}
  ~ModuleOwned() { thread_->release(std::move(value_)); }
  ModuleOwned(ModuleOwned&&) = default;
  ModuleOwned& operator=(ModuleOwned&& other) {
    thread_->release(std::move(value_));
    thread_ = other.thread_;
    value_ = std::move(other.value_);
    return *this;
  }

  T& get() const { return *value_; }  // [module thread]

 private:
  ModuleThread* thread_;
  std::unique_ptr<T> value_;
};

}  // namespace bridge32
