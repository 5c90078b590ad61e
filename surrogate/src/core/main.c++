// bridge32-surrogate-<arch>: loads plugin modules for a host of another bitness (or in
// isolation) and serves them over the channel the host gave it.
//
//   bridge32-surrogate-x86 --socket-fd N       Linux: a connected Unix-domain socket
//   bridge32-surrogate-x86 --pipe NAME         Windows: the host's named pipe
//   ... --echo SIZE                            benchmark peer: echo SIZE-byte messages, no RPC
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bridge32/error.h"
#include "core/remote-log-sink.h"
#include "core/surrogate-server.h"
#include "logging.h"
#include "wire.h"

#if _WIN32
#include "core/message-loop-port.h"
#include "transport/named-pipe.h"
#else
#include <dirent.h>
#include <kj/async-unix.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <cerrno>
#include <chrono>
#include <thread>
#endif

namespace bridge32 {
namespace {

struct Options {
  int socketFd = -1;
  std::string pipeName;
  size_t echoSize = 0;
};

[[noreturn]] void usage(const char* problem) {
  spdlog::critical("{}; usage: bridge32-surrogate (--socket-fd N | --pipe NAME) [--echo SIZE]",
                   problem);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    std::string value = argv[++i];
    if (arg == "--socket-fd") {
      options.socketFd = std::atoi(value.c_str());
    } else if (arg == "--pipe") {
      options.pipeName = value;
    } else if (arg == "--echo") {
      options.echoSize = size_t(std::strtoul(value.c_str(), nullptr, 10));
    } else {
      usage(("unknown argument " + arg).c_str());
    }
  }
  if (options.socketFd < 0 && options.pipeName.empty()) usage("no channel to the host given");
  return options;
}

// The module thread's event loop: the main thread's. On Windows it dispatches window messages
// while it waits, since plugin editors are windows of this thread.
struct PluginLoop {
#if _WIN32
  MessageLoopPort port;
#else
  kj::UnixEventPort port;
#endif
  kj::EventLoop loop{port};
  kj::WaitScope waitScope{loop};

  // Lanes' doorbells rung, on this loop (core/lane-server.h).
  ModuleThread::DoorbellWatch doorbellWatch() {
    return [this](intptr_t handle) -> kj::Promise<void> {
#if _WIN32
      return port.whenSignaled(reinterpret_cast<HANDLE>(handle)).ignoreResult();
#else
      auto observer = kj::heap<kj::UnixEventPort::FdObserver>(
          port, int(handle), kj::UnixEventPort::FdObserver::OBSERVE_READ);
      auto readable = observer->whenBecomesReadable();
      return readable.attach(kj::mv(observer));
#endif
    };
  }
};

// The channel to the host, on the serving thread's event loop. On Linux, a Unix socket that
// carries file descriptors too: the host passes lanes' memory and doorbells with its messages.
#if _WIN32
using Channel = kj::AsyncIoStream;
kj::Own<Channel> openChannel(const Options& options, kj::AsyncIoContext& io) {
  return wrapPipe(openPipe(win32::wide(options.pipeName)), io.win32EventPort);
}
#else
using Channel = kj::AsyncCapabilityStream;
kj::Own<Channel> openChannel(const Options& options, kj::AsyncIoContext& io) {
  return io.lowLevelProvider->wrapUnixSocketFd(options.socketFd,
                                               kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP);
}
// Descriptors accepted in one message: a lane's memory and doorbell.
constexpr uint kMaxFdsPerMessage = 2;
#endif

// The raw ping-pong peer the benchmark compares RPC against: same process, same channel.
kj::Promise<void> echo(kj::AsyncIoStream& stream, kj::Array<kj::byte>& buffer) {
  return stream.tryRead(buffer.begin(), buffer.size(), buffer.size())
      .then([&](size_t n) -> kj::Promise<void> {
        if (n < buffer.size()) return kj::READY_NOW;
        return stream.write(buffer.begin(), buffer.size()).then([&] {
          return echo(stream, buffer);
        });
      });
}

// The serving thread: serves the protocol until the host hangs up, handing module work to
// `thread`. Returns once every capability the host held is released, so every module is gone.
int serveChannel(const Options& options, ModuleThread& thread, RemoteLogSink& logSink) {
  auto io = kj::setupAsyncIo();
  auto stream = openChannel(options, io);
  if (options.echoSize > 0) {
    auto buffer = kj::heapArray<kj::byte>(options.echoSize);
    echo(*stream, buffer).wait(io.waitScope);
    return 0;
  }

  HostOutbox outbox;
  KJ_DEFER(logSink.attach(nullptr));  // before the outbox goes
#if _WIN32
  capnp::TwoPartyVatNetwork network(*stream, capnp::rpc::twoparty::Side::SERVER, readerOptions());
#else
  capnp::TwoPartyVatNetwork network(*stream, kMaxFdsPerMessage, capnp::rpc::twoparty::Side::SERVER,
                                    readerOptions());
#endif
  auto onHandshake = [&] { logSink.attach(&outbox); };
  {
    auto rpc =
        capnp::makeRpcServer(network, kj::heap<SurrogateServer>(thread, outbox, onHandshake));
    network.onDisconnect().wait(io.waitScope);
    // The host hung up: log locally again, then let the RPC system release every instance and
    // module (on the module thread) as it goes out of scope.
    logSink.attach(nullptr);
  }
  thread.drain(io.waitScope);
  return 0;
}

// Runs plugins on this thread, the main one, and serves the channel on another.
int serve(const Options& options, RemoteLogSink& logSink) {
  PluginLoop loop;
  ModuleThread thread(kj::getCurrentThreadExecutor(), loop.doorbellWatch(), &loop.port.getTimer());
  auto served = kj::newPromiseAndCrossThreadFulfiller<int>();
  std::thread serving([&] {
    int status = 1;
    try {
      status = serveChannel(options, thread, logSink);
    } catch (const kj::Exception& exception) {
      spdlog::critical("{}", exception.getDescription().cStr());
    } catch (const std::exception& exception) {
      spdlog::critical("{}", exception.what());
    } catch (...) {
      spdlog::critical("the serving thread ended with an exception that is not a std::exception");
    }
    served.fulfiller->fulfill(kj::mv(status));
  });
  KJ_DEFER(serving.join());
  return served.promise.wait(loop.waitScope);
}

#if _WIN32
// A plugin that crashes ends the process with the exception code as its exit code, which is
// what the host reports, after one line on stderr that says where: the address and the module it
// is in ("b32-com-fixture.dll+0x2640"). No crash dialog, no debugger: left to Windows' defaults,
// a crash would wait on a dialog nobody sees (under Wine, on winedbg).
LONG WINAPI onUnhandledException(EXCEPTION_POINTERS* exception) {
  const EXCEPTION_RECORD& record = *exception->ExceptionRecord;
  char module[MAX_PATH] = "no module";
  HMODULE owner = nullptr;
  uintptr_t offset = 0;
  if (GetModuleHandleExA(
          GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
          static_cast<LPCSTR>(record.ExceptionAddress), &owner)) {
    GetModuleFileNameA(owner, module, sizeof module);
    offset = reinterpret_cast<uintptr_t>(record.ExceptionAddress) -
             reinterpret_cast<uintptr_t>(owner);
  }
  const char* name = std::strrchr(module, '\\');
  name = name ? name + 1 : module;
  char line[MAX_PATH + 96];
  int length = std::snprintf(line, sizeof line,
                             "surrogate: unhandled exception 0x%08lX at %p (%s+0x%lX)\n",
                             static_cast<unsigned long>(record.ExceptionCode),
                             record.ExceptionAddress, name, static_cast<unsigned long>(offset));
  DWORD written;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, DWORD(length), &written, nullptr);
  TerminateProcess(GetCurrentProcess(), record.ExceptionCode);
  return EXCEPTION_EXECUTE_HANDLER;
}

// abort() and std::terminate(): exit code 3, as the C runtime's own abort gives, without its
// message box.
void onAbort(int) {
  const char line[] = "surrogate: abort() called\n";
  DWORD written;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, DWORD(sizeof line - 1), &written, nullptr);
  TerminateProcess(GetCurrentProcess(), 3);
}

// Ends the process when its main thread, the module thread, ends under it while the process runs
// on: 64-bit Wine ends a thread whose stack overflowed with no room left to report the exception,
// and a plugin may call ExitThread. Either way the host must hear of it at once, with the
// thread's exit code, not at its call's deadline. (At the process's own exit, ExitProcess ends
// this watcher before anything else.)
void exitWithModuleThread() {
  HANDLE thread = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &thread,
                       SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, 0)) {
    return;  // no watch: a thread that ends alone is then found by the host's deadline
  }
  std::thread([thread] {
    WaitForSingleObject(thread, INFINITE);
    DWORD code = 0;
    GetExitCodeThread(thread, &code);
    char line[128];
    int length = std::snprintf(line, sizeof line,
                               "surrogate: the module thread ended with code 0x%08lX\n",
                               static_cast<unsigned long>(code));
    DWORD written;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, DWORD(length), &written, nullptr);
    TerminateProcess(GetCurrentProcess(), code != 0 ? code : 1);
  }).detach();
}

void installCrashHandling() {
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  SetUnhandledExceptionFilter(onUnhandledException);
  signal(SIGABRT, onAbort);
}
#endif

#if !_WIN32
// Ends this process when the host's does, even while a plugin holds the serving thread (a
// hung plugin never sees the connection close). The host is our parent; a pidfd for it becomes
// readable when it exits. Where pidfd_open is missing (old kernels, some emulators), it polls
// getppid(). (On Windows the host's job object does this.)
void exitWithHost() {
  pid_t host = getppid();
  // In a sandbox, a PID namespace of its own, the host has no pid here (getppid() is 0): the
  // kernel's death signal, which the host set before this started, ends it instead.
  if (host == 0) return;
  int pidfd = int(syscall(SYS_pidfd_open, host, 0));
  if (getppid() != host) std::_Exit(1);  // gone before we looked
  std::thread([host, pidfd] {
    if (pidfd >= 0) {
      pollfd gone{pidfd, POLLIN, 0};
      while (poll(&gone, 1, -1) < 0 && errno == EINTR) {
      }
    } else {
      while (getppid() == host) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const char line[] = "surrogate: the host process is gone; exiting\n";
    [[maybe_unused]] auto written = write(2, line, sizeof line - 1);
    std::_Exit(1);
  }).detach();
}

// What the modules started (a helper, a daemon that called setsid()) ends with this process when
// it exits normally. As a subreaper it inherits every orphan among its descendants, so ending
// its children, round after round, until it has none ends them all. (When it is killed instead,
// its cgroup ends them, where the host could make one: host64/src/core/surrogate-cgroup.h.)
void becomeSubreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

std::vector<pid_t> children() {
  std::vector<pid_t> found;
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return found;
  while (dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    std::ifstream list(std::string("/proc/self/task/") + task->d_name + "/children");
    for (pid_t pid; list >> pid;) found.push_back(pid);
  }
  closedir(tasks);
  return found;
}

void endDescendants() {
  for (int round = 0; round < 1000; ++round) {
    std::vector<pid_t> alive = children();
    if (alive.empty()) return;
    for (pid_t child : alive) kill(child, SIGKILL);
    for (pid_t child : alive) {
      while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
}
#endif

}  // namespace
}  // namespace bridge32

int main(int argc, char** argv) {
#if _WIN32
  bridge32::installCrashHandling();
  bridge32::exitWithModuleThread();
#else
  signal(SIGPIPE, SIG_IGN);  // a host that hung up is an end of file, not a reason to die
  bridge32::exitWithHost();
  bridge32::becomeSubreaper();
  KJ_DEFER(bridge32::endDescendants());
#endif
  auto logSink = std::make_shared<bridge32::RemoteLogSink>();
  auto logger = std::make_shared<spdlog::logger>("surrogate", logSink);
  // bridge32's own records (the plugin's log lines among them) go to the host too.
  bridge32::logging::setHandler(
      [logger](bridge32::LogLevel level, std::string_view, std::string_view message) {
        logger->log(bridge32::logging::toSpdlog(level), "{}", message);
      },
      bridge32::LogLevel::debug);
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);

  auto options = bridge32::parse(argc, argv);
  try {
    return bridge32::serve(options, *logSink);
  } catch (const kj::Exception& exception) {
    spdlog::critical("{}", exception.getDescription().cStr());
  } catch (const std::exception& exception) {
    spdlog::critical("{}", exception.what());
  }
  return 1;
}
