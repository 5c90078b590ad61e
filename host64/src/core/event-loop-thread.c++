#include "core/event-loop-thread.h"

#include <optional>
#include <string>

#include "logging.h"

#if _WIN32
#include "win32.h"
#else
#include <signal.h>

#include <condition_variable>
#include <mutex>
#endif

namespace bridge32 {

#if _WIN32

struct Completion::Impl {
  win32::Handle event{CreateEventW(nullptr, TRUE, FALSE, nullptr)};
};

Completion::Completion() : impl_(std::make_unique<Impl>()) {
  if (!impl_->event) win32::throwLastError("CreateEventW");
}

Completion::~Completion() = default;

void Completion::signal() { SetEvent(impl_->event.get()); }

void Completion::wait() {
  HANDLE event = impl_->event.get();
  win32::waitDispatchingMessages(&event, 1, INFINITE);
}

#else

struct Completion::Impl {
  std::mutex mutex;
  std::condition_variable changed;
  bool signaled = false;
};

Completion::Completion() : impl_(std::make_unique<Impl>()) {}
Completion::~Completion() = default;

void Completion::signal() {
  std::lock_guard lock(impl_->mutex);
  impl_->signaled = true;
  impl_->changed.notify_all();
}

void Completion::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait(lock, [&] { return impl_->signaled; });
}

#endif

EventLoopThread::EventLoopThread() {
  Completion started;
  std::optional<std::string> failedToStart;
  try {
    thread_ = std::thread([this, &started, &failedToStart] {
#if !_WIN32
      // Writing to a surrogate that died raises SIGPIPE in the writing thread, which by default
      // kills the whole application. The application's signal handling is not ours to change,
      // so block it on this thread only: the write then fails with EPIPE, a disconnect.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
#endif
      // Nothing may escape this thread: it would end the application. A loop that cannot be set
      // up (no file descriptors left, say) is the constructor's error.
      kj::Maybe<kj::AsyncIoContext> io;
      try {
        io = kj::setupAsyncIo();
      } catch (const kj::Exception& exception) {
        failedToStart = exception.getDescription().cStr();
      } catch (const std::exception& exception) {
        failedToStart = exception.what();
      }
      KJ_IF_MAYBE(context, io) {
        auto serving = serve(*context);
        started.signal();
        serving.wait(context->waitScope);
      } else {
        started.signal();
      }
    });
  } catch (const std::system_error& error) {
    throw Error(Error::Kind::surrogateStart,
                std::string("cannot start the bridge's I/O thread: ") + error.what());
  }
  started.wait();
  if (failedToStart) {
    thread_.join();
    throw Error(Error::Kind::surrogateStart,
                "cannot set up the bridge's event loop: " + *failedToStart);
  }
}

EventLoopThread::~EventLoopThread() {
  {
    auto queue = queue_.lockExclusive();
    queue->stopping = true;
    if (queue->wake) queue->wake->fulfill();
  }
  thread_.join();
}

void EventLoopThread::post(Job job) {
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> wake;
  {
    auto queue = queue_.lockExclusive();
    queue->jobs.push_back(kj::mv(job));
    wake = kj::mv(queue->wake);
  }
  if (wake) wake->fulfill();
}

kj::Promise<void> EventLoopThread::serve(kj::AsyncIoContext& io) {
  std::deque<Job> jobs;
  auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
  bool stopping;
  {
    auto queue = queue_.lockExclusive();
    jobs.swap(queue->jobs);
    stopping = queue->stopping;
    if (jobs.empty() && !stopping) queue->wake = kj::mv(paf.fulfiller);
  }
  for (auto& job : jobs) {
    try {
      job(io);
    } catch (const kj::Exception& exception) {
      logging::warn("the bridge's I/O thread: {}", exception.getDescription().cStr());
    } catch (const std::exception& exception) {
      logging::warn("the bridge's I/O thread: {}", exception.what());
    }
  }
  if (stopping) return kj::READY_NOW;
  if (!jobs.empty()) return kj::evalLater([this, &io] { return serve(io); });
  return paf.promise.then([this, &io] { return serve(io); });
}

}  // namespace bridge32
