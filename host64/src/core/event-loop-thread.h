// A kj event loop on a thread of its own, which owns one surrogate connection; other threads
// hand it work and wait for the answer.
//
// Why a thread of its own: the connection must be served even while no application thread is
// in a call (log records, heartbeats, the surrogate dying), and an application thread that
// owns windows must never block on the surrogate. Waiting for an answer pumps that thread's
// window messages on Windows (see Completion).
#pragma once

#include <capnp/capability.h>
#include <kj/async-io.h>
#include <kj/function.h>
#include <kj/mutex.h>

#include <deque>
#include <exception>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "bridge32/error.h"

namespace bridge32 {

// A one-shot signal between threads. wait() blocks until signal(); on Windows it dispatches the
// waiting thread's window messages meanwhile, since a surrogate creating a child window of ours
// sends messages to this thread and waits for them to be handled.
class Completion {
 public:
  Completion();
  ~Completion();
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  void signal();  // [any-thread]
  void wait();    // [the waiting thread]

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class EventLoopThread {
 public:
  using Job = kj::Function<void(kj::AsyncIoContext&)>;

  EventLoopThread();
  // Runs the jobs already posted, then stops the loop and joins the thread. Promises still
  // pending are dropped, which completes their run() calls with Error::Kind::disconnected.
  ~EventLoopThread();
  EventLoopThread(const EventLoopThread&) = delete;
  EventLoopThread& operator=(const EventLoopThread&) = delete;

  // [any-thread] Queues `job` to run on the loop thread; never blocks.
  void post(Job job);

  bool onLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // [any-thread but the loop's] Calls `start(io)` on the loop thread, which returns a
  // kj::Promise<R>; when it resolves, calls `finish(R&)` there too and returns its result to the
  // caller, who waits meanwhile (see Completion). An exception from either arrives here as it was
  // thrown; a rejected promise arrives as kj::Exception.
  template <typename Start, typename Finish>
  auto run(Start&& start, Finish&& finish);

 private:
  struct Queue {
    std::deque<Job> jobs;
    kj::Own<kj::CrossThreadPromiseFulfiller<void>> wake;
    bool stopping = false;
  };

  kj::Promise<void> serve(kj::AsyncIoContext& io);

  kj::MutexGuarded<Queue> queue_;
  std::thread thread_;
};

namespace detail {
template <typename T>
struct PromiseValue;
template <typename T>
struct PromiseValue<kj::Promise<T>> {
  using type = T;
};
template <typename T>
struct PromiseValue<capnp::RemotePromise<T>> {
  using type = capnp::Response<T>;
};
struct Unit {};
template <typename Finish, typename Response>
struct FinishResult {
  using type = std::invoke_result_t<Finish&, Response&>;
};
template <typename Finish>
struct FinishResult<Finish, void> {
  using type = std::invoke_result_t<Finish&>;
};
}  // namespace detail

template <typename Start, typename Finish>
auto EventLoopThread::run(Start&& start, Finish&& finish) {
  using Response = typename detail::PromiseValue<
      std::invoke_result_t<Start&, kj::AsyncIoContext&>>::type;
  constexpr bool voidResponse = std::is_void_v<Response>;
  using Result = typename detail::FinishResult<Finish, Response>::type;
  using Stored = std::conditional_t<std::is_void_v<Result>, detail::Unit, Result>;

  if (onLoopThread()) {
    throw Error(Error::Kind::badState,
                "a bridged call was made on the bridge's own thread, from inside a host callback; "
                "callbacks must not call into the plugin");
  }

  std::optional<Stored> result;
  std::exception_ptr error;
  Completion done;
  auto complete = [&](auto&&... response) {
    try {
      if constexpr (std::is_void_v<Result>) {
        finish(response...);
        result.emplace();
      } else {
        result.emplace(finish(response...));
      }
    } catch (...) {
      error = std::current_exception();
    }
  };
  post([&](kj::AsyncIoContext& io) {
    // Runs when the promise below completes or is dropped unfinished (the loop stopping).
    auto signal = kj::defer([&] {
      if (!result && !error) {
        error = std::make_exception_ptr(
            Error(Error::Kind::disconnected, "the bridge stopped before the call completed"));
      }
      done.signal();
    });
    auto onError = [&](kj::Exception&& exception) {
      if (!error) error = std::make_exception_ptr(kj::mv(exception));
    };
    kj::Promise<Response> promise = kj::evalNow([&]() -> kj::Promise<Response> {
      try {
        return start(io);
      } catch (const Error&) {
        // Refused before anything was sent (an argument that cannot go, say): as it was thrown.
        error = std::current_exception();
        throw;
      }
    });
    if constexpr (voidResponse) {
      promise.then([&] { complete(); }, kj::mv(onError)).attach(kj::mv(signal)).detach([](auto&&) {});
    } else {
      promise.then([&](Response&& response) { complete(response); }, kj::mv(onError))
          .attach(kj::mv(signal))
          .detach([](auto&&) {});
    }
  });
  done.wait();

  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

// Something that lives on the loop thread (a capability client, say), held from elsewhere and
// destroyed on the loop thread.
template <typename T>
class LoopOwned {
 public:
  LoopOwned(EventLoopThread& loop, std::unique_ptr<T> value)
      : loop_(loop), value_(value.release()) {}
  ~LoopOwned() {
    if (value_) loop_.post([value = value_](kj::AsyncIoContext&) { delete value; });
  }
  LoopOwned(const LoopOwned&) = delete;
  LoopOwned& operator=(const LoopOwned&) = delete;

  T& get() const { return *value_; }  // [loop thread]

 private:
  EventLoopThread& loop_;
  T* value_;
};

}  // namespace bridge32
