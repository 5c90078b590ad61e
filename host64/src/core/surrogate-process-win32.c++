// The Win32 half of surrogate processes (core/surrogate-process.h): started suspended into a job,
// connected by a private named pipe, sandboxed with a restricted token and a job of its own. The
// POSIX half is surrogate-process-posix.c++.
#include "core/surrogate-process.h"

#include <kj/debug.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <utility>
#include <vector>

#include "bridge32/error.h"
#include "transport/named-pipe.h"
#include "win32.h"

namespace bridge32 {

namespace {
[[noreturn]] void cannotStart(const std::filesystem::path& executable, const std::string& why) {
  throw Error(Error::Kind::surrogateStart,
              "cannot start surrogate '" + utf8(executable) + "': " + why);
}

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
  auto create = [&] {
    return token.get()
               ? CreateProcessAsUserW(token.get(), executable.c_str(), commandLine.data(), nullptr,
                                      nullptr, TRUE, flags, environmentBlockOrInherited, nullptr,
                                      &startup.StartupInfo, &info)
               : CreateProcessW(executable.c_str(), commandLine.data(), nullptr, nullptr, TRUE,
                                flags, environmentBlockOrInherited, nullptr, &startup.StartupInfo,
                                &info);
  };
  BOOL created = create();
  // ERROR_INTERNAL_ERROR: the new process died while the system was still making it (seen under
  // Wine, once in some hundred starts). Suspended, it ran nothing of ours: made once more, and a
  // second failure is the answer.
  if (!created && GetLastError() == ERROR_INTERNAL_ERROR) created = create();
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

}  // namespace bridge32
