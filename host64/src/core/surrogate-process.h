// A surrogate process started by the host, with the host's end of its private channel.
//
// Linux: a socketpair; the child gets its end as fd 3. Windows: a private named pipe (see
// common/src/named-pipe.h) that the child must connect to within the start timeout, checked to
// be the child by process id. Either way the child's stdout and stderr are relayed line by line
// into the "surrogate" spdlog logger, tagged with its pid, and the last lines of stderr are kept
// for error messages.
//
// The child gets exactly what it needs and nothing else the host has open: its end of the
// channel, stdout and stderr (stdin is /dev/null, or none on Windows), so untrusted plugin code
// cannot be handed the application's files, sockets or handles by accident. That is isolation
// from faults, not from malice: code running as the same user can still reach into the host's
// process (on Linux through /proc/<pid>/mem, /proc/<pid>/fd, pidfd_getfd) unless the surrogate
// is sandboxed. On Linux it leads a process group of its own and, where the system allows, a
// cgroup of its own (core/surrogate-cgroup.h), so that what its modules start ends with it.
#pragma once

#include <kj/async-io.h>

#include <chrono>
#include <memory>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bridge32/types.h"

namespace bridge32 {

class SurrogateCgroup;

// How a surrogate process starts, besides its executable.
struct SurrogateLaunch {
  std::vector<std::string> extraArgs;  // after the channel arguments
  bool sandbox = false;                // see LoadOptions::sandbox
  // "NAME=VALUE" each; unset: this process's environment.
  std::optional<std::vector<std::string>> environment;
};

class SurrogateProcess {
 public:
  using Launch = SurrogateLaunch;

  // Starts `executable` as `launch` says. On Windows, also waits (pumping window messages) until
  // it connects, at most `connectTimeout`. Throws Error(surrogateStart) naming the executable and
  // saying why, or Error(unsupported) where the sandbox asked for cannot be made.
  SurrogateProcess(const std::filesystem::path& executable, std::chrono::milliseconds connectTimeout,
                   const Launch& launch = {});
  // Kills the process if it is still running, reaps it and stops the relays.
  ~SurrogateProcess();
  SurrogateProcess(const SurrogateProcess&) = delete;
  SurrogateProcess& operator=(const SurrogateProcess&) = delete;

  uint32_t pid() const { return pid_; }
  const std::filesystem::path& executable() const { return executable_; }

  // The channel's stream: on Linux a Unix socket that carries file descriptors too (lanes' memory).
#if _WIN32
  using Channel = kj::AsyncIoStream;
#else
  using Channel = kj::AsyncCapabilityStream;
#endif
  // [loop thread] The host's end of the channel as a stream on `io`; callable once.
  kj::Own<Channel> takeChannel(kj::AsyncIoContext& io);

  // [loop thread] Resolves when the process has ended, whoever holds the channel's other end (a
  // child it forked may): a pidfd on Linux. On Windows nothing but the surrogate can hold its
  // pipe, whose end says it; this never resolves there.
  kj::Promise<void> whenExited(kj::AsyncIoContext& io);

  // Waits up to `timeout` for the process to end and says how it ended ("exited with code 3",
  // "was killed by signal 11 (Segmentation fault)", "terminated by exception 0xC0000005"), or
  // returns nothing if it is still running. [any-thread]
  std::optional<std::string> waitForExit(std::chrono::milliseconds timeout);
  void kill();
#if _WIN32
  // A duplicate of this process's kernel-object `handle` (an event, a file, a mapping) that is
  // valid in the surrogate, with the same access; the surrogate closes it. Throws Error(failed)
  // naming the handle.
  uint64_t duplicateHandleInto(void* handle) const;
  // A duplicate in this process of the surrogate's kernel-object `handle`, with the same access;
  // the caller closes it. Throws Error(failed) naming the handle.
  void* duplicateHandleFrom(uint64_t handle) const;
#endif

  // The last lines the process wrote to stderr, oldest first, joined by newlines. Waits up to
  // `waitForEnd` for the end of the stream (which an ended process leaves), so that its last
  // words are in.
  std::string recentStderr(std::chrono::milliseconds waitForEnd = {}) const;

 private:
  void relay(bool isStderr, std::string_view text, std::string& partial);
  void startRelays();

  std::filesystem::path executable_;
  uint32_t pid_ = 0;
  std::mutex exitMutex_;  // waitForExit and kill may come from the loop thread and a caller's
  std::optional<std::string> exitDescription_;

  mutable std::mutex stderrMutex_;
  std::deque<std::string> stderrTail_;
  bool stderrEnded_ = false;
  mutable std::condition_variable stderrEndedChanged_;

#if _WIN32
  // Waits for the started process to connect to `channel`; throws if it dies or is late.
  void connect(void* channel, std::chrono::milliseconds connectTimeout);
  // Ends the process if it still runs, and joins the relays: the destructor's work.
  void release();

  void* process_ = nullptr;
  void* channel_ = nullptr;
  void* sandboxJob_ = nullptr;  // a sandboxed surrogate's own job; closing it ends the surrogate
  void* stdoutRead_ = nullptr;
  void* stderrRead_ = nullptr;
  std::thread stdoutRelay_, stderrRelay_;
  // The relays' Win32 thread handles, for CancelSynchronousIo (std::thread's native handle is
  // a pthread id under MinGW).
  void* relayThreads_[2] = {nullptr, nullptr};
#else
  int channel_ = -1;
  int stdoutRead_ = -1, stderrRead_ = -1;
  int stopRelay_[2] = {-1, -1};
  int pidfd_ = -1;  // -1 where the kernel has no pidfd_open
  std::unique_ptr<SurrogateCgroup> cgroup_;  // null where none can be made
  // Sends SIGKILL to the process, its process group and its cgroup. [under exitMutex_]
  void killEverything();
  std::thread relay_;
  // Without a pidfd: look every so often.
  kj::Promise<void> pollForExit(kj::Timer& timer);
#endif
};

}  // namespace bridge32
