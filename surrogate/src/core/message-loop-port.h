// A kj event port for a thread that owns windows (Windows only).
//
// The surrogate's module thread runs plugin code, and plugin editors create their windows on it,
// so its waits must dispatch window messages. kj's own Win32 port waits on an I/O completion
// port, which no thread can wait on together with its message queue. This port waits with
// MsgWaitForMultipleObjectsEx instead: work handed over by the serving thread wakes it, overlapped
// I/O (if any) completes through an event per operation, and window messages are dispatched as
// they come.
#pragma once
#if _WIN32

#include <kj/async-win32.h>
#include <kj/timer.h>

#include <vector>

#include "win32.h"

namespace bridge32 {

class MessageLoopPort final : public kj::Win32EventPort {
 public:
  MessageLoopPort();
  ~MessageLoopPort() noexcept(false);
  MessageLoopPort(const MessageLoopPort&) = delete;
  MessageLoopPort& operator=(const MessageLoopPort&) = delete;

  // kj::EventPort
  bool wait() override;
  bool poll() override;
  void wake() const override;

  // kj::Win32EventPort. At most 62 handles may be observed at once (one wait call's limit).
  kj::Own<IoObserver> observeIo(HANDLE handle) override;
  kj::Own<SignalObserver> observeSignalState(HANDLE handle) override;
  kj::Timer& getTimer() override { return timer_; }
  void allowApc() override {}  // every wait is alertable

  // Resolves when `handle` is signaled (true if it was an abandoned mutex).
  kj::Promise<bool> whenSignaled(HANDLE handle);

 private:
  class Waiter;
  class IoOperation;
  class IoObserver;
  class SignalObserver;

  // One pass: waits up to `timeoutMs` for a handle, a message or a wake-up, then handles what
  // is ready. True if woken by wake().
  bool waitOnce(DWORD timeoutMs);
  void dispatchMessages();

  // Events for overlapped operations, reused: creating and closing one per read or write costs
  // two kernel calls (under Wine, two wineserver round trips).
  win32::Handle takeEvent();
  void giveBackEvent(win32::Handle event);

  win32::Handle wakeEvent_;
  std::vector<win32::Handle> spareEvents_;
  kj::TimerImpl timer_;
  std::vector<Waiter*> waiters_;
};

}  // namespace bridge32

#endif
