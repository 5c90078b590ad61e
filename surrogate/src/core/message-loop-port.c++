#include "core/message-loop-port.h"
#if _WIN32

#include <kj/debug.h>

#include <algorithm>

namespace bridge32 {

// A handle the next waits watch, until it is signaled or the promise waiting on it is dropped.
class MessageLoopPort::Waiter {
 public:
  Waiter(kj::PromiseFulfiller<bool>& fulfiller, MessageLoopPort& port, HANDLE handle)
      : fulfiller_(fulfiller), port_(port), handle_(handle) {
    // One slot of the wait is the wake-up event; MsgWaitForMultipleObjectsEx takes 63 more.
    KJ_REQUIRE(port_.waiters_.size() < MAXIMUM_WAIT_OBJECTS - 2,
               "too many handles observed at once by one MessageLoopPort");
    port_.waiters_.push_back(this);
  }
  ~Waiter() { unregister(); }

  HANDLE handle() const { return handle_; }

  void fire(bool abandoned) {
    unregister();
    fulfiller_.fulfill(kj::mv(abandoned));
  }

 private:
  void unregister() {
    auto& waiters = port_.waiters_;
    waiters.erase(std::remove(waiters.begin(), waiters.end(), this), waiters.end());
  }

  kj::PromiseFulfiller<bool>& fulfiller_;
  MessageLoopPort& port_;
  HANDLE handle_;
};

// An overlapped operation completing through its own event. Shared by the IoOperation the
// caller holds and the promise onComplete() returns, so either may go first; the last one out
// cancels the operation if it is still running and waits for the cancellation, after which
// the caller's buffer is free.
class MessageLoopPort::IoOperation final : public kj::Win32EventPort::IoOperation,
                                           public kj::Refcounted {
 public:
  IoOperation(MessageLoopPort& port, HANDLE file, uint64_t offset)
      : port_(port), file_(file), event_(port.takeEvent()) {
    overlapped_.Offset = DWORD(offset);
    overlapped_.OffsetHigh = DWORD(offset >> 32);
    overlapped_.hEvent = event_.get();
  }

  ~IoOperation() noexcept(false) {
    if (started_ && !finished_) {
      CancelIoEx(file_, &overlapped_);
      DWORD ignored;
      GetOverlappedResult(file_, &overlapped_, &ignored, TRUE);
    }
    port_.giveBackEvent(std::move(event_));
  }

  LPOVERLAPPED getOverlapped() override { return &overlapped_; }

  kj::Promise<IoResult> onComplete() override {
    started_ = true;
    return port_.whenSignaled(event_.get())
        .then([this](bool) {
          finished_ = true;
          DWORD transferred = 0;
          IoResult result{ERROR_SUCCESS, 0};
          if (!GetOverlappedResult(file_, &overlapped_, &transferred, FALSE)) {
            result.errorCode = GetLastError();
          }
          result.bytesTransferred = transferred;
          return result;
        })
        .attach(kj::addRef(*this));
  }

 private:
  MessageLoopPort& port_;
  HANDLE file_;
  win32::Handle event_;
  OVERLAPPED overlapped_{};
  bool started_ = false;
  bool finished_ = false;
};

class MessageLoopPort::IoObserver final : public kj::Win32EventPort::IoObserver {
 public:
  IoObserver(MessageLoopPort& port, HANDLE file) : port_(port), file_(file) {}
  kj::Own<kj::Win32EventPort::IoOperation> newOperation(uint64_t offset) override {
    return kj::refcounted<IoOperation>(port_, file_, offset);
  }

 private:
  MessageLoopPort& port_;
  HANDLE file_;
};

class MessageLoopPort::SignalObserver final : public kj::Win32EventPort::SignalObserver {
 public:
  SignalObserver(MessageLoopPort& port, HANDLE handle) : port_(port), handle_(handle) {}
  kj::Promise<void> onSignaled() override {
    return port_.whenSignaled(handle_).then(
        [](bool abandoned) { KJ_REQUIRE(!abandoned, "the mutex was abandoned"); });
  }
  kj::Promise<bool> onSignaledOrAbandoned() override { return port_.whenSignaled(handle_); }

 private:
  MessageLoopPort& port_;
  HANDLE handle_;
};

MessageLoopPort::MessageLoopPort()
    : wakeEvent_(CreateEventW(nullptr, FALSE, FALSE, nullptr)),
      timer_(kj::systemPreciseMonotonicClock().now()) {
  if (!wakeEvent_) win32::throwLastError("CreateEventW for the event loop's wake-up");
}

MessageLoopPort::~MessageLoopPort() noexcept(false) = default;

win32::Handle MessageLoopPort::takeEvent() {
  if (!spareEvents_.empty()) {
    win32::Handle event = std::move(spareEvents_.back());
    spareEvents_.pop_back();
    return event;
  }
  win32::Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!event) win32::throwLastError("CreateEventW for an overlapped operation");
  return event;
}

void MessageLoopPort::giveBackEvent(win32::Handle event) {
  // ReadFile and WriteFile reset the event when they start the next operation.
  spareEvents_.push_back(std::move(event));
}

kj::Own<kj::Win32EventPort::IoObserver> MessageLoopPort::observeIo(HANDLE handle) {
  return kj::heap<IoObserver>(*this, handle);
}

kj::Own<kj::Win32EventPort::SignalObserver> MessageLoopPort::observeSignalState(HANDLE handle) {
  return kj::heap<SignalObserver>(*this, handle);
}

kj::Promise<bool> MessageLoopPort::whenSignaled(HANDLE handle) {
  return kj::newAdaptedPromise<bool, Waiter>(*this, handle);
}

void MessageLoopPort::wake() const { SetEvent(wakeEvent_.get()); }

bool MessageLoopPort::wait() {
  const auto& clock = kj::systemPreciseMonotonicClock();
  DWORD timeout = INFINITE;
  KJ_IF_MAYBE(milliseconds, timer_.timeoutToNextEvent(clock.now(), kj::MILLISECONDS, INFINITE - 1)) {
    timeout = DWORD(*milliseconds);
  }
  bool woken = waitOnce(timeout);
  timer_.advanceTo(clock.now());
  return woken;
}

bool MessageLoopPort::poll() {
  bool woken = waitOnce(0);
  timer_.advanceTo(kj::systemPreciseMonotonicClock().now());
  return woken;
}

bool MessageLoopPort::waitOnce(DWORD timeoutMs) {
  // A snapshot: firing a waiter or dispatching a message may observe or drop handles.
  std::vector<Waiter*> waiters = waiters_;
  std::vector<HANDLE> handles{wakeEvent_.get()};
  for (Waiter* waiter : waiters) handles.push_back(waiter->handle());

  DWORD count = DWORD(handles.size());
  DWORD woken = MsgWaitForMultipleObjectsEx(count, handles.data(), timeoutMs, QS_ALLINPUT,
                                            MWMO_INPUTAVAILABLE | MWMO_ALERTABLE);
  if (woken == WAIT_FAILED) win32::throwLastError("MsgWaitForMultipleObjectsEx");

  bool abandoned = woken >= WAIT_ABANDONED_0 && woken < WAIT_ABANDONED_0 + count;
  DWORD index = abandoned ? woken - WAIT_ABANDONED_0 : woken - WAIT_OBJECT_0;
  if (index == count) {
    dispatchMessages();
    return false;
  }
  if (index == 0) return true;
  if (index < count) {
    Waiter* waiter = waiters[index - 1];
    if (std::find(waiters_.begin(), waiters_.end(), waiter) != waiters_.end()) {
      waiter->fire(abandoned);
    }
  }
  return false;  // a timeout, an APC, or a handle
}

void MessageLoopPort::dispatchMessages() {
  MSG message;
  while (PeekMessageW(&message, nullptr, 0, 0, PM_REMOVE)) {
    if (message.message == WM_QUIT) continue;  // the surrogate ends when the host hangs up
    TranslateMessage(&message);
    DispatchMessageW(&message);
  }
}

}  // namespace bridge32

#endif
