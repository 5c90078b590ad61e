// The POSIX half of surrogate processes (core/surrogate-process.h): posix_spawn'ed (or started
// sandboxed) with a socketpair as the channel, watched by a pidfd, leading a process group and
// a cgroup of its own. The Win32 half is surrogate-process-win32.c++.
#include <fcntl.h>
#include <kj/async-unix.h>
#include <kj/debug.h>
#include <kj/io.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "bridge32/error.h"
#include "core/sandbox-linux.h"
#include "core/surrogate-cgroup.h"
#include "core/surrogate-process.h"

extern char** environ;

namespace bridge32 {

namespace {
[[noreturn]] void cannotStart(const std::filesystem::path& executable, const std::string& why) {
  throw Error(Error::Kind::surrogateStart,
              "cannot start surrogate '" + utf8(executable) + "': " + why);
}

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

std::string errnoText(const char* call, int error) {
  return std::string(call) + ": " + std::strerror(error);
}
}  // namespace

namespace {
// Starts `executable` with `args` and `environment`, `stdoutFd`, `stderrFd` and `channelFd` as its
// 1, 2 and 3, leading a process group of its own.
pid_t spawn(const std::filesystem::path& executable, std::vector<std::string> args,
            std::vector<std::string> environment, int stdoutFd, int stderrFd, int channelFd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  KJ_DEFER(posix_spawn_file_actions_destroy(&actions));
  posix_spawn_file_actions_adddup2(&actions, stdoutFd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderrFd, 2);
  posix_spawn_file_actions_adddup2(&actions, channelFd, 3);
  // Nothing else: descriptors the application opened without close-on-exec stay with it. (Then
  // stdin, which needs a free descriptor: a host that has none left has them after this.)
  posix_spawn_file_actions_addclosefrom_np(&actions, 4);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  KJ_DEFER(posix_spawnattr_destroy(&attributes));
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  std::vector<char*> argv, envp;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid;
  int error = posix_spawn(&pid, executable.c_str(), &actions, &attributes, argv.data(), envp.data());
  if (error != 0) cannotStart(executable, errnoText("posix_spawn", error));
  return pid;
}
}  // namespace

SurrogateProcess::SurrogateProcess(const std::filesystem::path& executable,
                                   std::chrono::milliseconds, const Launch& launch)
    : executable_(executable) {
  // Everything made here closes itself if a later step fails: a host that is short of file
  // descriptors gets an error, not a leak.
  kj::AutoCloseFd hostEnd, childEnd, outRead, outWrite, errRead, errWrite, stopRead, stopWrite;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    cannotStart(executable, errnoText("socketpair", errno));
  }
  hostEnd = kj::AutoCloseFd(fds[0]);
  childEnd = kj::AutoCloseFd(fds[1]);
  for (auto [read, write] : {std::pair{&outRead, &outWrite}, std::pair{&errRead, &errWrite},
                             std::pair{&stopRead, &stopWrite}}) {
    if (pipe2(fds, O_CLOEXEC) != 0) cannotStart(executable, errnoText("pipe2", errno));
    *read = kj::AutoCloseFd(fds[0]);
    *write = kj::AutoCloseFd(fds[1]);
  }
  // The child's ends go to fds 1, 2 and 3. One already at a low number could be overwritten by
  // another's dup2, or be dup2'ed onto itself and keep its close-on-exec flag: move them up.
  for (kj::AutoCloseFd* end : {&childEnd, &outWrite, &errWrite}) {
    if (end->get() >= 10) continue;
    int moved = fcntl(end->get(), F_DUPFD_CLOEXEC, 10);
    if (moved < 0) cannotStart(executable, errnoText("fcntl(F_DUPFD_CLOEXEC)", errno));
    *end = kj::AutoCloseFd(moved);
  }

  std::vector<std::string> args = {executable.string(), "--socket-fd", "3"};
  args.insert(args.end(), launch.extraArgs.begin(), launch.extraArgs.end());
  std::vector<std::string> environment;
  if (launch.environment) {
    environment = *launch.environment;
  } else {
    for (char** entry = environ; *entry; ++entry) environment.emplace_back(*entry);
  }
  pid_t pid;
  if (launch.sandbox) {
    pid = startSandboxed({executable.string(), args, environment, outWrite.get(), errWrite.get(),
                          childEnd.get()});
  } else {
    pid = spawn(executable, args, environment, outWrite.get(), errWrite.get(), childEnd.get());
  }
  pid_ = uint32_t(pid);
  // Without a pidfd (an old kernel, or none left to open), whenExited looks every so often.
  pidfd_ = int(syscall(SYS_pidfd_open, pid, 0));
  // Before the handshake, so before any module is loaded: nothing the surrogate starts can be
  // outside it.
  cgroup_ = SurrogateCgroup::adopt(pid);
  channel_ = hostEnd.release();
  stdoutRead_ = outRead.release();
  stderrRead_ = errRead.release();
  stopRelay_[0] = stopRead.release();
  stopRelay_[1] = stopWrite.release();
  try {
    startRelays();
  } catch (const std::system_error& failure) {
    // No thread to spare: the child goes again, and everything with it.
    kill();
    waitForExit(std::chrono::seconds(5));
    for (int fd : {channel_, stdoutRead_, stderrRead_, stopRelay_[0], stopRelay_[1], pidfd_}) {
      if (fd >= 0) close(fd);
    }
    cannotStart(executable, std::string("cannot start its output relay: ") + failure.what());
  }
}

SurrogateProcess::~SurrogateProcess() {
  if (channel_ >= 0) close(channel_);
  if (pid_ != 0 && !waitForExit(std::chrono::milliseconds(0))) {
    kill();
    waitForExit(std::chrono::hours(1));
  }
  cgroup_.reset();  // what is left in it ends, and it goes
  if (relay_.joinable()) {
    // Output still held open by a grandchild must not hang us: stop reading.
    [[maybe_unused]] auto ignored = write(stopRelay_[1], "x", 1);
    relay_.join();
  }
  for (int fd : {stdoutRead_, stderrRead_, stopRelay_[0], stopRelay_[1], pidfd_}) {
    if (fd >= 0) close(fd);
  }
}

void SurrogateProcess::startRelays() {
  relay_ = std::thread([this] {
    std::string partial[2];
    pollfd fds[3] = {{stdoutRead_, POLLIN, 0}, {stderrRead_, POLLIN, 0}, {stopRelay_[0], POLLIN, 0}};
    int open = 2;
    while (open > 0) {
      if (poll(fds, 3, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[2].revents) break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !fds[i].revents) continue;
        char buffer[4096];
        ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          relay(i == 1, std::string_view(buffer, size_t(n)), partial[i]);
        } else if (n == 0 || errno != EINTR) {
          relay(i == 1, {}, partial[i]);
          fds[i].fd = -1;
          --open;
        }
      }
    }
  });
}

kj::Own<SurrogateProcess::Channel> SurrogateProcess::takeChannel(kj::AsyncIoContext& io) {
  KJ_REQUIRE(channel_ >= 0, "the channel was already taken");
  return io.lowLevelProvider->wrapUnixSocketFd(std::exchange(channel_, -1),
                                               kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP);
}

kj::Promise<void> SurrogateProcess::whenExited(kj::AsyncIoContext& io) {
  if (pidfd_ >= 0) {
    try {
      // A pidfd becomes readable when its process ends.
      auto observer = kj::heap<kj::UnixEventPort::FdObserver>(
          io.unixEventPort, pidfd_, kj::UnixEventPort::FdObserver::OBSERVE_READ);
      auto readable = observer->whenBecomesReadable();
      return readable.attach(kj::mv(observer));
    } catch (const kj::Exception&) {
      // It cannot be watched (epoll_ctl failed): look every so often instead.
    }
  }
  return pollForExit(io.provider->getTimer());
}

kj::Promise<void> SurrogateProcess::pollForExit(kj::Timer& timer) {
  return timer.afterDelay(50 * kj::MILLISECONDS).then([this, &timer]() -> kj::Promise<void> {
    if (waitForExit(std::chrono::milliseconds(0))) return kj::READY_NOW;
    return pollForExit(timer);
  });
}

std::optional<std::string> SurrogateProcess::waitForExit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;; std::this_thread::sleep_for(std::chrono::milliseconds(2))) {
    std::lock_guard lock(exitMutex_);  // not while sleeping: kill() and the loop's look wait on it
    if (exitDescription_) return exitDescription_;
    // Looked at without reaping first: while the ended process is not reaped its process group
    // cannot be anyone else's, so what it left running (a helper a plugin forked, holding the
    // channel open) can be ended safely.
    siginfo_t info{};
    int looked = waitid(P_PID, id_t(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (looked == 0 && info.si_pid == pid_t(pid_)) {
      killEverything();
      int status = 0;
      while (waitpid(pid_t(pid_), &status, 0) < 0 && errno == EINTR) {
      }
      exitDescription_ = describeWaitStatus(status);
      return exitDescription_;
    }
    if (looked < 0 && errno != EINTR) {
      exitDescription_ = "could not be waited for (" + errnoText("waitid", errno) + ")";
      return exitDescription_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
  }
}

void SurrogateProcess::kill() {
  std::lock_guard lock(exitMutex_);  // a reaped pid may already be someone else's
  if (!exitDescription_) killEverything();
}

void SurrogateProcess::killEverything() {
  // The process itself first: it may have left its process group (setpgid, setsid), so the
  // group's signal may not reach it. Until it is reaped its pid is its own.
  if (pidfd_ < 0 || syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0) != 0) {
    ::kill(pid_t(pid_), SIGKILL);
  }
  ::kill(-pid_t(pid_), SIGKILL);  // its process group: the helpers that stayed in it
  if (cgroup_) cgroup_->killAll();  // and everything it started, wherever it went
}

}  // namespace bridge32
