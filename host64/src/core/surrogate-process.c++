#include "core/surrogate-process.h"

#include <kj/debug.h>

#include <future>
#include <utility>

#include "bridge32/error.h"
#include "logging.h"

#if _WIN32
#include <algorithm>
#include <vector>

#include "transport/named-pipe.h"
#include "win32.h"
#else
#include <fcntl.h>
#include <kj/async-unix.h>
#include <kj/io.h>

#include "core/sandbox-linux.h"
#include "core/surrogate-cgroup.h"
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;
#endif

namespace bridge32 {

namespace {
constexpr size_t kStderrTailLines = 20;
constexpr size_t kMaxRelayLine = 2000;  // bytes

[[noreturn]] void cannotStart(const std::filesystem::path& executable, const std::string& why) {
  throw Error(Error::Kind::surrogateStart,
              "cannot start surrogate '" + utf8(executable) + "': " + why);
}
}  // namespace

void SurrogateProcess::relay(bool isStderr, std::string_view text, std::string& partial) {
  // The surrogate's output is untrusted: lines are cut at kMaxRelayLine (so a stream without
  // newlines cannot grow without bound) and control characters become '?' (so they cannot
  // rewrite the terminal or the log).
  auto emit = [&](std::string_view raw) {
    std::string line(raw);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (char& c : line) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
    }
    if (auto logger = logging::get("surrogate")) {
      logger->log(isStderr ? spdlog::level::warn : spdlog::level::info, "[surrogate {} {}] {}",
                  pid_, isStderr ? "stderr" : "stdout", line);
    }
    if (isStderr) {
      std::lock_guard lock(stderrMutex_);
      stderrTail_.push_back(std::move(line));
      if (stderrTail_.size() > kStderrTailLines) stderrTail_.pop_front();
    }
  };
  partial += text;
  size_t start = 0;
  for (;;) {
    size_t end = partial.find('\n', start);
    if (end != std::string::npos && end - start <= kMaxRelayLine) {
      emit(std::string_view(partial).substr(start, end - start));
      start = end + 1;
    } else if (partial.size() - start >= kMaxRelayLine) {
      emit(std::string_view(partial).substr(start, kMaxRelayLine));
      start += kMaxRelayLine;
    } else {
      break;
    }
  }
  partial.erase(0, start);
  if (text.empty() && !partial.empty()) relay(isStderr, "\n", partial);  // flush at the end
  if (text.empty() && isStderr) {
    std::lock_guard lock(stderrMutex_);
    stderrEnded_ = true;
    stderrEndedChanged_.notify_all();
  }
}

std::string SurrogateProcess::recentStderr(std::chrono::milliseconds waitForEnd) const {
  std::unique_lock lock(stderrMutex_);
  stderrEndedChanged_.wait_for(lock, waitForEnd, [&] { return stderrEnded_; });
  std::string text;
  for (const auto& line : stderrTail_) text += (text.empty() ? "" : "\n") + line;
  return text;
}

#if _WIN32

namespace {
std::string describeExitCode(DWORD code) {
  char text[64];
  if (code >= 0xC0000000u) {
    std::snprintf(text, sizeof text, "terminated by exception 0x%08lX", static_cast<unsigned long>(code));
  } else {
    std::snprintf(text, sizeof text, "exited with code %lu", static_cast<unsigned long>(code));
  }
  return text;
}

// The job every surrogate of this process runs in. Nobody closes it: when this process ends,
// however it ends, the system closes it, and kill-on-close takes the surrogates along.
HANDLE surrogateJob() {
  static HANDLE job = [] {
    HANDLE created = CreateJobObjectW(nullptr, nullptr);
    if (!created) win32::throwLastError("CreateJobObjectW for the surrogates");
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    B32_WIN32_CHECK(SetInformationJobObject(created, JobObjectExtendedLimitInformation, &limits,
                                            sizeof limits));
    return created;
  }();
  return job;
}

// The token a sandboxed surrogate runs with: this process's, with every privilege but
// SeChangeNotifyPrivilege removed, at low integrity (it can write to nothing of a higher level:
// the user's files, registry, processes).
win32::Handle sandboxToken() {
  HANDLE own = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(),
                        TOKEN_DUPLICATE | TOKEN_ASSIGN_PRIMARY | TOKEN_QUERY | TOKEN_ADJUST_DEFAULT,
                        &own)) {
    throw Error(Error::Kind::unsupported,
                "cannot sandbox the surrogate: OpenProcessToken: " + win32::errorText(GetLastError()));
  }
  win32::Handle token(own);
  HANDLE restricted = nullptr;
  if (!CreateRestrictedToken(token.get(), DISABLE_MAX_PRIVILEGE, 0, nullptr, 0, nullptr, 0,
                             nullptr, &restricted)) {
    throw Error(Error::Kind::unsupported, "cannot sandbox the surrogate: CreateRestrictedToken: " +
                                              win32::errorText(GetLastError()));
  }
  win32::Handle result(restricted);
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD sidBytes = sizeof sid;
  TOKEN_MANDATORY_LABEL label{};
  label.Label.Attributes = SE_GROUP_INTEGRITY;
  label.Label.Sid = sid;
  if (!CreateWellKnownSid(WinLowLabelSid, nullptr, sid, &sidBytes) ||
      !SetTokenInformation(result.get(), TokenIntegrityLevel, &label,
                           DWORD(sizeof label + GetLengthSid(sid)))) {
    throw Error(Error::Kind::unsupported, "cannot sandbox the surrogate: setting low integrity: " +
                                              win32::errorText(GetLastError()));
  }
  return result;
}

// The job a sandboxed surrogate runs in, alone: it ends when this process closes it (or ends),
// starts no process of its own, and cannot change the desktop, the display settings, the
// system's parameters or the clipboard, or log the user off.
win32::Handle sandboxJob() {
  win32::Handle job(CreateJobObjectW(nullptr, nullptr));
  if (!job.get()) {
    throw Error(Error::Kind::unsupported,
                "cannot sandbox the surrogate: CreateJobObjectW: " + win32::errorText(GetLastError()));
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags =
      JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_ACTIVE_PROCESS |
      JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  limits.BasicLimitInformation.ActiveProcessLimit = 1;
  JOBOBJECT_BASIC_UI_RESTRICTIONS ui{};
  ui.UIRestrictionsClass = JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_DISPLAYSETTINGS |
                           JOB_OBJECT_UILIMIT_EXITWINDOWS | JOB_OBJECT_UILIMIT_READCLIPBOARD |
                           JOB_OBJECT_UILIMIT_WRITECLIPBOARD | JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS;
  if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                               sizeof limits) ||
      !SetInformationJobObject(job.get(), JobObjectBasicUIRestrictions, &ui, sizeof ui)) {
    throw Error(Error::Kind::unsupported, "cannot sandbox the surrogate: limiting its job: " +
                                              win32::errorText(GetLastError()));
  }
  return job;
}

// `entries` ("NAME=VALUE") as a CREATE_UNICODE_ENVIRONMENT block, sorted by name as Windows
// keeps them.
std::wstring environmentBlock(std::vector<std::string> entries) {
  std::vector<std::wstring> wide;
  for (const auto& entry : entries) wide.push_back(win32::wide(entry));
  std::sort(wide.begin(), wide.end(), [](const std::wstring& a, const std::wstring& b) {
    return _wcsicmp(a.c_str(), b.c_str()) < 0;
  });
  std::wstring block;
  for (const auto& entry : wide) block += entry + L'\0';
  block += L'\0';
  return block;
}

}  // namespace

SurrogateProcess::SurrogateProcess(const std::filesystem::path& executable,
                                   std::chrono::milliseconds connectTimeout, const Launch& launch)
    : executable_(executable) {
  const std::vector<std::string>& extraArgs = launch.extraArgs;
  std::wstring pipeName = newPipeName();
  win32::Handle channel = createPrivatePipe(pipeName, launch.sandbox);
  win32::Handle token, job;
  if (launch.sandbox) {
    token = sandboxToken();
    job = sandboxJob();
  }
  std::wstring environment;
  if (launch.environment) environment = environmentBlock(*launch.environment);

  SECURITY_ATTRIBUTES inheritable{sizeof inheritable, nullptr, TRUE};
  HANDLE outRead, outWrite, errRead, errWrite;
  B32_WIN32_CHECK(CreatePipe(&outRead, &outWrite, &inheritable, 0));
  win32::Handle stdoutRead(outRead), stdoutWrite(outWrite);
  B32_WIN32_CHECK(CreatePipe(&errRead, &errWrite, &inheritable, 0));
  win32::Handle stderrRead(errRead), stderrWrite(errWrite);
  SetHandleInformation(outRead, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(errRead, HANDLE_FLAG_INHERIT, 0);

  std::wstring commandLine = L"\"" + executable.wstring() + L"\" --pipe " + pipeName;
  for (const auto& arg : extraArgs) commandLine += L" " + win32::wide(arg);

  // The child inherits its stdout and stderr and nothing else: not the application's inheritable
  // handles, nor those of another surrogate starting at the same moment.
  HANDLE inherited[] = {outWrite, errWrite};
  SIZE_T attributesSize = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &attributesSize);
  std::vector<char> attributesBuffer(attributesSize);
  auto attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attributesBuffer.data());
  B32_WIN32_CHECK(InitializeProcThreadAttributeList(attributes, 1, 0, &attributesSize));
  KJ_DEFER(DeleteProcThreadAttributeList(attributes));
  B32_WIN32_CHECK(UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                            inherited, sizeof inherited, nullptr, nullptr));

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof startup;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdOutput = outWrite;
  startup.StartupInfo.hStdError = errWrite;
  startup.lpAttributeList = attributes;
  PROCESS_INFORMATION info{};
  // Suspended until it is in the job, so that not even its first instruction can outlive us.
  DWORD flags = CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT | CREATE_SUSPENDED |
                EXTENDED_STARTUPINFO_PRESENT;
  void* environmentBlockOrInherited = launch.environment ? environment.data() : nullptr;
  BOOL created =
      token.get()
          ? CreateProcessAsUserW(token.get(), executable.c_str(), commandLine.data(), nullptr,
                                 nullptr, TRUE, flags, environmentBlockOrInherited, nullptr,
                                 &startup.StartupInfo, &info)
          : CreateProcessW(executable.c_str(), commandLine.data(), nullptr, nullptr, TRUE, flags,
                           environmentBlockOrInherited, nullptr, &startup.StartupInfo, &info);
  if (!created) cannotStart(executable, win32::errorText(GetLastError()));
  if (!AssignProcessToJobObject(job.get() ? job.get() : surrogateJob(), info.hProcess)) {
    std::string why = "AssignProcessToJobObject: " + win32::errorText(GetLastError());
    TerminateProcess(info.hProcess, 1);
    CloseHandle(info.hThread);
    CloseHandle(info.hProcess);
    cannotStart(executable, why);
  }
  ResumeThread(info.hThread);
  CloseHandle(info.hThread);
  process_ = info.hProcess;
  pid_ = info.dwProcessId;
  sandboxJob_ = job.release();
  stdoutWrite.reset();
  stderrWrite.reset();
  stdoutRead_ = stdoutRead.release();
  stderrRead_ = stderrRead.release();
  try {
    startRelays();
    connect(channel.get(), connectTimeout);
  } catch (...) {
    release();  // no destructor runs for an object whose constructor throws
    throw;
  }
  channel_ = channel.release();
}

void SurrogateProcess::connect(HANDLE channel, std::chrono::milliseconds connectTimeout) {
  // Wait for the child to connect, or to die, or for the timeout.
  win32::Handle connected(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  OVERLAPPED overlapped{};
  overlapped.hEvent = connected.get();
  if (!ConnectNamedPipe(channel, &overlapped)) {
    DWORD error = GetLastError();
    if (error == ERROR_IO_PENDING) {
      HANDLE handles[] = {connected.get(), static_cast<HANDLE>(process_)};
      DWORD woken = win32::waitDispatchingMessages(handles, 2, DWORD(connectTimeout.count()));
      if (woken != WAIT_OBJECT_0) {
        CancelIoEx(channel, &overlapped);
        DWORD ignored;
        GetOverlappedResult(channel, &overlapped, &ignored, TRUE);
        std::string why = woken == WAIT_OBJECT_0 + 1
                              ? "it " + waitForExit(std::chrono::seconds(5)).value_or("exited") +
                                    " before connecting"
                              : "it did not connect within " +
                                    std::to_string(connectTimeout.count()) + " ms";
        kill();
        waitForExit(std::chrono::seconds(5));
        std::string stderrText = recentStderr(std::chrono::seconds(1));
        if (!stderrText.empty()) why += "; its stderr:\n" + stderrText;
        throw Error(Error::Kind::surrogateStart,
                    "surrogate '" + utf8(executable_) + "' (pid " + std::to_string(pid_) +
                        ") " + why);
      }
    } else if (error != ERROR_PIPE_CONNECTED) {
      kill();
      cannotStart(executable_, "ConnectNamedPipe: " + win32::errorText(error));
    }
  }
  ULONG clientPid = 0;
  if (!GetNamedPipeClientProcessId(channel, &clientPid) || clientPid != pid_) {
    kill();
    cannotStart(executable_, "the pipe's client is process " + std::to_string(clientPid) +
                                 ", not the surrogate started as " + std::to_string(pid_));
  }
}

SurrogateProcess::~SurrogateProcess() {
  if (channel_) CloseHandle(channel_);
  release();
}

void SurrogateProcess::release() {
  if (!waitForExit(std::chrono::milliseconds(0))) {
    kill();
    waitForExit(std::chrono::seconds(10));
  }
  // The relays end at the pipes' end of file; a grandchild holding them open must not hang us.
  for (int i = 0; i < 2; ++i) {
    std::thread& relay = i == 0 ? stdoutRelay_ : stderrRelay_;
    if (!relay.joinable()) continue;
    if (WaitForSingleObject(relayThreads_[i], 1000) == WAIT_TIMEOUT) {
      CancelSynchronousIo(relayThreads_[i]);
    }
    relay.join();
    CloseHandle(relayThreads_[i]);
  }
  CloseHandle(stdoutRead_);
  CloseHandle(stderrRead_);
  CloseHandle(process_);
  if (sandboxJob_) CloseHandle(sandboxJob_);
}

void SurrogateProcess::startRelays() {
  HANDLE pipes[2] = {stdoutRead_, stderrRead_};
  for (int i = 0; i < 2; ++i) {
    std::promise<HANDLE> self;
    auto published = self.get_future();
    (i == 0 ? stdoutRelay_ : stderrRelay_) =
        std::thread([this, pipe = pipes[i], isStderr = i == 1, self = std::move(self)]() mutable {
          HANDLE thread = nullptr;
          DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &thread,
                          0, FALSE, DUPLICATE_SAME_ACCESS);
          self.set_value(thread);
          std::string partial;
          char buffer[4096];
          DWORD n;
          while (ReadFile(pipe, buffer, sizeof buffer, &n, nullptr) && n > 0) {
            relay(isStderr, std::string_view(buffer, n), partial);
          }
          relay(isStderr, {}, partial);
        });
    relayThreads_[i] = published.get();
  }
}

kj::Own<SurrogateProcess::Channel> SurrogateProcess::takeChannel(kj::AsyncIoContext& io) {
  KJ_REQUIRE(channel_ != nullptr, "the channel was already taken");
  return wrapPipe(win32::Handle(std::exchange(channel_, nullptr)), io.win32EventPort);
}

kj::Promise<void> SurrogateProcess::whenExited(kj::AsyncIoContext&) {
  // The pipe says it: its handle is not inheritable and the surrogate's children get only the
  // handles listed for them, so nothing outlives the surrogate holding the pipe open.
  // (A watcher thread on the process handle, waking the loop when it ended, made a later call
  // sometimes never reach the loop under Wine 8: see the note on issue 9.)
  return kj::NEVER_DONE;
}

std::optional<std::string> SurrogateProcess::waitForExit(std::chrono::milliseconds timeout) {
  // The wait needs no lock (a process handle stays valid until release()); only its result does.
  if (WaitForSingleObject(process_, DWORD(timeout.count())) != WAIT_OBJECT_0) return std::nullopt;
  std::lock_guard lock(exitMutex_);
  if (exitDescription_) return exitDescription_;
  DWORD code = 0;
  GetExitCodeProcess(process_, &code);
  exitDescription_ = describeExitCode(code);
  return exitDescription_;
}

void SurrogateProcess::kill() { TerminateProcess(process_, 1); }

uint64_t SurrogateProcess::duplicateHandleInto(void* handle) const {
  HANDLE theirs = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), handle, process_, &theirs, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    char text[32];
    std::snprintf(text, sizeof text, "%p", handle);
    win32::throwLastError("give handle " + std::string(text) + " to surrogate " +
                          std::to_string(pid_));
  }
  return uint64_t(reinterpret_cast<uintptr_t>(theirs));
}

void* SurrogateProcess::duplicateHandleFrom(uint64_t handle) const {
  HANDLE ours = nullptr;
  if (!DuplicateHandle(process_, reinterpret_cast<HANDLE>(uintptr_t(handle)), GetCurrentProcess(),
                       &ours, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
    win32::throwLastError("take handle " + std::to_string(handle) + " of surrogate " +
                          std::to_string(pid_));
  }
  return ours;
}

#else  // POSIX

namespace {
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

#endif

}  // namespace bridge32
