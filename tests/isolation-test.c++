// Crash and hang isolation: the Faulty sample plugin crashes, exits, hangs and misbehaves in its
// surrogate on request; the host (this process) carries on, gets a typed error that says what
// happened, and its other plugins keep working.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bridge32/host.h"
#include "harness.h"

#if _WIN32
#include "win32.h"  // first: <windows.h>, which <tlhelp32.h> needs
#include <tlhelp32.h>
#else
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

extern char** environ;
#endif

namespace bridge32 {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using test::expectError;

constexpr const char* kFaulty = "com.bridge32.samples.faulty";
constexpr uint32_t kFault = 1, kExitCode = 2;

// The Fault values of samples/plugins/faulty.c++.
enum Fault : uint32_t {
  kNullDereference = 1,
  kDivideByZero = 2,
  kStackOverflow = 3,
  kAbort = 4,
  kTerminate = 5,
  kExit = 6,
  kSpin = 7,
  kSleep = 8,
  kDeadlock = 9,
  kExhaustMemory = 10,
  kGarbageOutput = 11,
  kCrashInCallback = 12,
  kForkThenAbort = 13,
  kHangInAWindowMessage = 14,
};

struct Crash {
  const char* name;
  Architecture architecture;
  Fault fault;
  const char* expected;  // in the error: how the surrogate ended
};

#if _WIN32
constexpr const char* kAccessViolation = "0xC0000005";
constexpr const char* kIntegerDivide = "0xC0000094";
constexpr const char* kStackOverflowCode = "0xC00000FD";
constexpr const char* kAborted = "exited with code 3";
#else
constexpr const char* kAccessViolation = "signal 11";
constexpr const char* kIntegerDivide = "signal 8";
constexpr const char* kStackOverflowCode = "signal 11";
constexpr const char* kAborted = "signal 6";
#endif

using test::optionsFor;
using test::ModuleReports;
using test::RecordingCallbacks;

template <typename Done>
bool waitFor(Done&& done, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// ----- crashes ----------------------------------------------------------------------------------

class Crashes : public ::testing::TestWithParam<Crash> {};

TEST_P(Crashes, FailTheCallAndEveryLaterOneFastAndTheHostCarriesOn) {
  const Crash& crash = GetParam();
  auto path = test::pluginPath(crash.architecture, "b32-faulty");
  auto module = PluginModule::load(path, optionsFor(test::kSurrogate64));
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  if (crash.fault == kExit) faulty->setParam(kExitCode, 42);

  auto start = Clock::now();
  Error error = expectError([&] { faulty->setParam(kFault, crash.fault); });
  double detection = millisecondsSince(start);
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.message();
  bool expected = error.message().find(crash.expected) != std::string::npos;
#if _WIN32
  // Wine on an emulated i386 CPU (QEMU) reports a 32-bit process's access violation as an
  // illegal instruction: the emulator does not fill in the trap number Wine reads.
  if (crash.architecture == Architecture::x86 && crash.expected == kAccessViolation &&
      test::runningUnderWine()) {
    expected = expected || error.message().find("0xC000001D") != std::string::npos;
  }
  // 64-bit Wine ends a thread whose stack overflowed with no room left below it to raise the
  // exception, without raising it; the surrogate then ends itself, saying so (exitWithModuleThread
  // in surrogate/src/core/main.c++). Whether room is left depends on where the recursion began.
  if (crash.architecture == Architecture::x64 && crash.fault == kStackOverflow &&
      test::runningUnderWine()) {
    expected = expected || error.message().find("the module thread ended") != std::string::npos;
  }
#endif
  EXPECT_TRUE(expected) << "expected '" << crash.expected << "' in: " << error.message();
  EXPECT_NE(error.message().find(utf8(path)), std::string::npos) << "names the plugin's module";
  std::printf("[ figures  ] %s: detected in %.1f ms\n", crash.name, detection);

  start = Clock::now();
  Error later = expectError([&] { faulty->param(kExitCode); });
  EXPECT_EQ(later.kind(), Error::Kind::disconnected);
  EXPECT_LT(millisecondsSince(start), 1000.0) << "later calls fail fast";
  EXPECT_TRUE(waitFor([&] { return !callbacks.why().empty(); }, milliseconds(5000)))
      << "the application is told the plugin stopped";

  // The host is fine, and so is a plugin in another surrogate.
  auto other = PluginModule::load(test::pluginPath(crash.architecture, "b32-samples"),
                                  optionsFor(test::kSurrogate64));
  HostCallbacks quiet;
  auto gain = other->createInstance("com.bridge32.samples.gain", quiet);
  gain->setParam(1, 2.0);
  EXPECT_EQ(gain->param(1), 2.0);
}

std::vector<Crash> crashes() {
  std::vector<Crash> all = {
      {"NullDereference64", Architecture::x64, kNullDereference, kAccessViolation},
      {"DivideByZero64", Architecture::x64, kDivideByZero, kIntegerDivide},
      {"StackOverflow64", Architecture::x64, kStackOverflow, kStackOverflowCode},
      {"Abort64", Architecture::x64, kAbort, kAborted},
      {"Terminate64", Architecture::x64, kTerminate, kAborted},
      {"Exit64", Architecture::x64, kExit, "exited with code 42"},
      {"CrashInCallback64", Architecture::x64, kCrashInCallback, kAccessViolation},
      // The one 32-bit crash Windows runs: each 32-bit start takes about a minute there.
      {"NullDereferenceIn32BitSurrogate", Architecture::x86, kNullDereference, kAccessViolation},
  };
#if !_WIN32
  // Linux runs every fault in the genuine i386 surrogate too, and memory exhaustion there: its
  // 4 GiB address space runs out in a moment (a 64-bit one would take minutes of mappings).
  for (Crash crash : std::vector<Crash>{
           {"DivideByZero32", Architecture::x86, kDivideByZero, kIntegerDivide},
           {"StackOverflow32", Architecture::x86, kStackOverflow, kStackOverflowCode},
           {"Abort32", Architecture::x86, kAbort, kAborted},
           {"Terminate32", Architecture::x86, kTerminate, kAborted},
           {"Exit32", Architecture::x86, kExit, "exited with code 42"},
           {"CrashInCallback32", Architecture::x86, kCrashInCallback, kAccessViolation},
           {"ExhaustMemory32", Architecture::x86, kExhaustMemory, kAccessViolation},
       }) {
    all.push_back(crash);
  }
#endif
  return all;
}

INSTANTIATE_TEST_SUITE_P(Faulty, Crashes, ::testing::ValuesIn(crashes()),
                         [](const auto& info) { return std::string(info.param.name); });

// ----- hangs ------------------------------------------------------------------------------------

struct Hang {
  const char* name;
  Fault fault;
};

class Hangs : public ::testing::TestWithParam<Hang> {};

TEST_P(Hangs, PassTheDeadlineAndTheHungSurrogateIsKilled) {
  auto path = test::pluginPath(Architecture::x64, "b32-faulty");
  auto module = PluginModule::load(path, optionsFor(test::kSurrogate64));
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);

  auto start = Clock::now();
  Error error = expectError([&] {
    CallDeadline deadline(milliseconds(300));
    faulty->setParam(kFault, GetParam().fault);
  });
  double detection = millisecondsSince(start);
  EXPECT_EQ(error.kind(), Error::Kind::timeout) << error.message();
  EXPECT_NE(error.message().find("did not answer within 300 ms"), std::string::npos)
      << error.message();
  EXPECT_GE(detection, 300.0);
  std::printf("[ figures  ] %s: timed out after %.1f ms (deadline 300 ms)\n", GetParam().name,
              detection);

  // Killed: the next call fails fast and says why.
  Error later = expectError([&] { faulty->param(kExitCode); });
  EXPECT_EQ(later.kind(), Error::Kind::disconnected);
  EXPECT_NE(later.message().find("killed it because a call did not return within 300 ms"),
            std::string::npos)
      << later.message();
  EXPECT_TRUE(waitFor([&] { return !callbacks.why().empty(); }, milliseconds(5000)));
}

INSTANTIATE_TEST_SUITE_P(Faulty, Hangs,
                         ::testing::Values(Hang{"Spin", kSpin}, Hang{"Sleep", kSleep},
                                           Hang{"Deadlock", kDeadlock}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Heartbeat, FindsASurrogateThatStoppedServingWhileNoCallIsInFlight) {
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.heartbeatInterval = milliseconds(100);
  options.heartbeatTimeout = milliseconds(500);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  faulty->setParam(kExitCode, 9);

  // Nothing is in flight; the surrogate stops serving.
#if _WIN32
  // Its module thread hangs in a window procedure, between calls.
  faulty->setParam(kFault, kHangInAWindowMessage);
#else
  ASSERT_TRUE(test::freezeProcess(module->surrogatePid()));  // SIGSTOP
#endif
  auto start = Clock::now();
  ASSERT_TRUE(waitFor([&] { return !callbacks.why().empty(); }, milliseconds(10'000)));
  std::printf("[ figures  ] heartbeat: noticed after %.1f ms (interval 100, timeout 500)\n",
              millisecondsSince(start));
  EXPECT_NE(callbacks.why().find("no heartbeat answer within 500 ms"), std::string::npos)
      << callbacks.why();
  EXPECT_EQ(expectError([&] { faulty->param(kExitCode); }).kind(), Error::Kind::disconnected);
}

TEST(Heartbeat, LeavesALateCallRunningWhenTheApplicationSaysSo) {
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.onHang = HangPolicy::keepRunning;
  options.heartbeatInterval = milliseconds(100);
  options.heartbeatTimeout = milliseconds(500);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-chatty"), options);
  RecordingCallbacks callbacks;
  auto chatty = module->createInstance("com.bridge32.fixtures.chatty", callbacks);
  constexpr uint32_t kHold = 6, kLevel = 4;

  Error error = expectError([&] {
    CallDeadline deadline(milliseconds(200));
    chatty->setParam(kHold, 3000);  // works for 3 s, well past the call's deadline
  });
  EXPECT_EQ(error.kind(), Error::Kind::timeout);
  EXPECT_NE(error.message().find("left running"), std::string::npos) << error.message();

  // The heartbeat (500 ms) must not take the late call for a hang: the surrogate finishes it,
  // and then answers the next one. Before the fix it was killed 0.6 s after the deadline.
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_TRUE(chatty->isRunning()) << callbacks.why();
  {
    CallDeadline deadline(milliseconds(10'000));
    chatty->setParam(kLevel, 0.5);  // queued behind the late call
  }
  EXPECT_EQ(chatty->param(kLevel), 0.5);
  EXPECT_TRUE(callbacks.why().empty()) << callbacks.why();
  EXPECT_EQ(callbacks.stops(), 0);
}

TEST(Misbehaviour, GarbageOnStdoutAndStderrDoesNotHurtTheHost) {
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"),
                                   optionsFor(test::kSurrogate64));
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  faulty->setParam(kFault, kGarbageOutput);  // 1 MiB of binary to each, then carries on
  faulty->setParam(kExitCode, 7);
  EXPECT_EQ(faulty->param(kExitCode), 7);
  EXPECT_TRUE(callbacks.why().empty());

  // What the host kept of it for error messages is bounded and printable.
  Error error = expectError([&] { faulty->setParam(kFault, kNullDereference); });
  size_t stderrAt = error.message().find("its last stderr:");
  ASSERT_NE(stderrAt, std::string::npos) << error.message().substr(0, 300);
  std::string tail = error.message().substr(stderrAt);
  EXPECT_LT(tail.size(), 20u * 2001 + 100);
  EXPECT_TRUE(std::none_of(tail.begin(), tail.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
  })) << "control characters from the surrogate reached the error text";
}

// ----- no orphans ------------------------------------------------------------------------------

// Runs bridge32_test_host on the Faulty module in `mode` (see test-host.c++): by default it
// leaves its surrogate asleep inside a plugin call, for a test to kill the host outright and see
// whether the surrogate went too.
class TestHost {
 public:
  explicit TestHost(Architecture architecture, std::string mode = "sleep-in-a-call") {
    std::filesystem::path host = test::outputDir() / "bin" / "bridge32_test_host";
    std::string module = utf8(test::pluginPath(architecture, "b32-faulty"));
#if _WIN32
    host += ".exe";
    SECURITY_ATTRIBUTES inheritable{sizeof inheritable, nullptr, TRUE};
    HANDLE read, write;
    EXPECT_TRUE(CreatePipe(&read, &write, &inheritable, 0));
    SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0);
    stdout_.reset(read);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdOutput = write;
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    std::wstring commandLine = L"\"" + host.wstring() + L"\" \"" + win32::wide(module) + L"\" " +
                               win32::wide(mode);
    PROCESS_INFORMATION info{};
    EXPECT_TRUE(CreateProcessW(host.c_str(), commandLine.data(), nullptr, nullptr, TRUE, 0,
                               nullptr, nullptr, &startup, &info));
    CloseHandle(write);
    CloseHandle(info.hThread);
    process_.reset(info.hProcess);
#else
    int pipe[2];
    EXPECT_EQ(::pipe(pipe), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1);
    posix_spawn_file_actions_addclose(&actions, pipe[0]);
    std::string hostText = host.string();
    char* argv[] = {hostText.data(), module.data(), mode.data(), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, hostText.c_str(), &actions, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe[1]);
    stdout_ = pipe[0];
#endif
  }

  ~TestHost() {
#if !_WIN32
    if (stdout_ >= 0) close(stdout_);
#endif
  }

  // The surrogate's pid, from the host's first line of output.
  uint32_t surrogatePid() {
    std::string line;
    char c;
    for (;;) {
#if _WIN32
      DWORD n = 0;
      if (!ReadFile(stdout_.get(), &c, 1, &n, nullptr) || n == 0) break;
#else
      if (read(stdout_, &c, 1) != 1) break;
#endif
      if (c == '\n') break;
      line += c;
    }
    EXPECT_EQ(line.rfind("surrogate ", 0), 0u) << "the test host said: " << line;
    return line.size() > 10 ? uint32_t(std::stoul(line.substr(10))) : 0;
  }

  void kill() {
#if _WIN32
    TerminateProcess(process_.get(), 9);
    WaitForSingleObject(process_.get(), 10'000);
#else
    ::kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
#endif
  }

  // How the host ended ("exit code 0", "signal 11"), waiting up to `timeout`; empty if it runs on.
  std::string waitForExit(milliseconds timeout) {
#if _WIN32
    if (WaitForSingleObject(process_.get(), DWORD(timeout.count())) != WAIT_OBJECT_0) return {};
    DWORD code = 0;
    GetExitCodeProcess(process_.get(), &code);
    return "exit code " + std::to_string(code);
#else
    int status = 0;
    if (!waitFor([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout)) return {};
    return WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                             : "signal " + std::to_string(WTERMSIG(status));
#endif
  }

  // Whether process `pid` still runs (a zombie nobody reaped does not count).
  static bool running(uint32_t pid) {
#if _WIN32
    win32::Handle process(OpenProcess(SYNCHRONIZE, FALSE, pid));
    return process && WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
#else
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    size_t state = text.rfind(')');
    return state != std::string::npos && state + 2 < text.size() && text[state + 2] != 'Z' &&
           text[state + 2] != 'X';
#endif
  }

 private:
#if _WIN32
  win32::Handle process_, stdout_;
#else
  pid_t pid_ = -1;
  int stdout_ = -1;
#endif
};

void expectSurrogateDiesWithItsHost(Architecture architecture) {
  TestHost host(architecture);
  uint32_t surrogate = host.surrogatePid();
  ASSERT_NE(surrogate, 0u);
  std::this_thread::sleep_for(milliseconds(500));  // into the plugin's hour-long sleep
  ASSERT_TRUE(TestHost::running(surrogate));
  auto start = Clock::now();
  host.kill();
  EXPECT_TRUE(waitFor([&] { return !TestHost::running(surrogate); }, milliseconds(10'000)))
      << "surrogate " << surrogate << " outlived its host";
  std::printf("[ figures  ] the surrogate ended %.1f ms after its host was killed\n",
              millisecondsSince(start));
}

TEST(HostDeath, TheSurrogateDiesWithItsHost64) { expectSurrogateDiesWithItsHost(Architecture::x64); }

#if !_WIN32
TEST(HostDeath, TheSurrogateDiesWithItsHost32) { expectSurrogateDiesWithItsHost(Architecture::x86); }
#endif

TEST(HostDeath, AnInstanceInAStaticWithAHungSurrogateDoesNotCrashTheHostAtExit) {
  // The static goes after spdlog's registry; its surrogate does not answer. Before the fix: a
  // 30 s wait, then SIGSEGV inside spdlog.
  TestHost host(Architecture::x64, "exit-with-a-static");
  uint32_t surrogate = host.surrogatePid();
  ASSERT_NE(surrogate, 0u);
  auto start = Clock::now();
  std::string ended = host.waitForExit(milliseconds(60'000));
  std::printf("[ figures  ] a host exiting with a hung plugin in a static ended in %.0f ms: %s\n",
              millisecondsSince(start), ended.c_str());
  EXPECT_EQ(ended, "exit code 0");
  EXPECT_TRUE(waitFor([&] { return !TestHost::running(surrogate); }, milliseconds(10'000)))
      << "surrogate " << surrogate << " outlived its host";
}

// bridge32 writes nothing to an application's console unless the application asks: a surrogate
// killed as hung (which bridge32 logs) says nothing on the host's stderr or stdout; with a log
// handler, the handler has the records.
TEST(HostLog, GoesNowhereUnlessTheApplicationGivesAHandler) {
  std::filesystem::path host = test::outputDir() / "bin" / "bridge32_test_host";
#if _WIN32
  host += ".exe";
#endif
  std::string module = utf8(test::pluginPath(Architecture::x64, "b32-faulty"));
  test::Ran quiet = test::runProgram(host, {module, "hang-killed"});
  EXPECT_EQ(quiet.exitCode, 0) << quiet.err;
  EXPECT_NE(quiet.out.find("done"), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out.find("killing"), std::string::npos) << quiet.out;
  test::Ran logged = test::runProgram(host, {module, "hang-killed-logged"});
  EXPECT_EQ(logged.exitCode, 0) << logged.err;
  EXPECT_NE(logged.out.find("log: [bridge32] killing surrogate"), std::string::npos) << logged.out;
  EXPECT_EQ(logged.err, "");
}

// ----- what the application does in its callbacks ----------------------------------------------

// Owns a plugin and lets go of it from inside pluginStopped, as an application may.
class LettingGo final : public HostCallbacks {
 public:
  std::unique_ptr<PluginModule> module;
  std::unique_ptr<PluginInstance> plugin;
  bool dropModuleToo = false;
  // Lets go of the module only once it runs in a new surrogate (its automatic restart is on).
  uint32_t awaitSurrogateOtherThan = 0;
  std::atomic<bool> done{false};

  void pluginStopped(std::string_view) override {
    plugin.reset();
    if (awaitSurrogateOtherThan != 0) {
      waitFor([&] { return module->surrogatePid() != awaitSurrogateOtherThan; },
              milliseconds(10'000));
    }
    if (dropModuleToo) module.reset();
    done = true;
  }
};

class DestroyingInPluginStopped : public ::testing::TestWithParam<bool> {};

TEST_P(DestroyingInPluginStopped, Works) {
  LettingGo callbacks;
  callbacks.dropModuleToo = GetParam();
  callbacks.module =
      PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), optionsFor(test::kSurrogate64));
  callbacks.plugin = callbacks.module->createInstance(kFaulty, callbacks);
  uint32_t surrogate = callbacks.module->surrogatePid();
  // No call in flight: the surrogate is killed from outside, and pluginStopped comes on the
  // bridge's own thread. Before the fix it deadlocked there, on the lock it was called under.
  ASSERT_TRUE(test::killProcess(surrogate));
  EXPECT_TRUE(waitFor([&] { return callbacks.done.load(); }, milliseconds(10'000)))
      << "destroying the plugin inside pluginStopped did not finish";
}

INSTANTIATE_TEST_SUITE_P(Isolation, DestroyingInPluginStopped, ::testing::Values(false, true),
                         [](const auto& info) {
                           return std::string(info.param ? "TheInstanceAndItsModule"
                                                         : "TheInstance");
                         });

// ----- what the surrogate gets from its host, and what it leaves behind ------------------------

#if !_WIN32
TEST(Isolation, ASurrogateThatDiesWhileAChildItForkedHoldsItsChannelIsNoticedAtOnce) {
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
    SCOPED_TRACE(std::string(toString(architecture)));
    auto module = PluginModule::load(test::pluginPath(architecture, "b32-faulty"),
                                     optionsFor(test::kSurrogate64));
    RecordingCallbacks callbacks;
    auto faulty = module->createInstance(kFaulty, callbacks);
    auto start = Clock::now();
    Error error = expectError([&] {
      CallDeadline deadline(milliseconds(20'000));
      faulty->setParam(kFault, kForkThenAbort);
    });
    double detection = millisecondsSince(start);
    std::printf("[ figures  ] %s: the death of a surrogate whose child holds its channel was "
                "noticed in %.1f ms (deadline 20 s)\n", std::string(toString(architecture)).c_str(),
                detection);
    EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.message();
    EXPECT_NE(error.message().find(kAborted), std::string::npos) << error.message();
    EXPECT_LT(detection, 5000.0);

    start = Clock::now();
    EXPECT_EQ(expectError([&] { faulty->param(kExitCode); }).kind(), Error::Kind::disconnected);
    EXPECT_LT(millisecondsSince(start), 1000.0) << "later calls fail fast";

    // The helper it forked went with it.
    size_t at = error.message().find("forked helper ");
    ASSERT_NE(at, std::string::npos) << error.message();
    uint32_t helper = uint32_t(std::stoul(error.message().substr(at + 14)));
    EXPECT_TRUE(waitFor([&] { return !TestHost::running(helper); }, milliseconds(5000)))
        << "the helper " << helper << " its plugin forked is still running";
  }
}

// The targets of process `pid`'s open file descriptors, by number.
std::map<int, std::string> openFiles(uint32_t pid) {
  std::map<int, std::string> files;
  std::filesystem::path directory = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    files[std::stoi(entry.path().filename().string())] =
        std::filesystem::read_symlink(entry.path(), error).string();
  }
  return files;
}

TEST(Isolation, TheSurrogateInheritsNothingFromItsHostButItsChannel) {
  // A descriptor the application opened without close-on-exec, as careless code does.
  int leaky[2];
  ASSERT_EQ(pipe(leaky), 0);
  std::string leakyTarget = openFiles(uint32_t(getpid()))[leaky[0]];
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
    SCOPED_TRACE(std::string(toString(architecture)));
    auto module = PluginModule::load(test::pluginPath(architecture, "b32-faulty"),
                                     optionsFor(test::kSurrogate64));
    auto files = openFiles(module->surrogatePid());
    ASSERT_FALSE(files.empty());
    for (const auto& [fd, target] : files) {
      EXPECT_NE(target, leakyTarget) << "the surrogate has the host's pipe as fd " << fd;
    }
    EXPECT_EQ(files[0], "/dev/null") << "stdin";
    EXPECT_EQ(files[1].rfind("pipe:", 0), 0u) << "stdout: " << files[1];
    EXPECT_EQ(files[2].rfind("pipe:", 0), 0u) << "stderr: " << files[2];
    EXPECT_EQ(files[3].rfind("socket:", 0), 0u) << "the channel: " << files[3];
  }
  close(leaky[0]);
  close(leaky[1]);
}
#else
TEST(Isolation, TheSurrogateInheritsNothingFromItsHostButItsChannel) {
  // A handle the application made inheritable, as careless code does.
  SECURITY_ATTRIBUTES inheritable{sizeof inheritable, nullptr, TRUE};
  win32::Handle leaky(CreateEventW(&inheritable, TRUE, FALSE, nullptr));
  ASSERT_TRUE(leaky);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"),
                                   optionsFor(test::kSurrogate64));
  win32::Handle surrogate(OpenProcess(PROCESS_DUP_HANDLE, FALSE, module->surrogatePid()));
  ASSERT_TRUE(surrogate);
  // An inherited handle has the same value in the child. Whatever that value is there, it is
  // not our event if it does not follow our event's state.
  HANDLE copy = nullptr;
  bool inherited = false;
  if (DuplicateHandle(surrogate.get(), leaky.get(), GetCurrentProcess(), &copy, 0, FALSE,
                      DUPLICATE_SAME_ACCESS)) {
    win32::Handle theirs(copy);
    SetEvent(leaky.get());
    bool followsSet = WaitForSingleObject(theirs.get(), 0) == WAIT_OBJECT_0;
    ResetEvent(leaky.get());
    bool followsReset = WaitForSingleObject(theirs.get(), 0) == WAIT_TIMEOUT;
    inherited = followsSet && followsReset;
  }
  EXPECT_FALSE(inherited) << "the surrogate inherited the application's event";
}
#endif

// ----- restarts ---------------------------------------------------------------------------------

// The Faulty plugin's state (samples/plugins/faulty.c++): "B32F" and the exit code.
std::vector<uint8_t> faultyState(uint32_t exitCode) {
  std::vector<uint8_t> state = {'B', '3', '2', 'F', 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) state[4 + i] = uint8_t(exitCode >> (8 * i));
  return state;
}

// Surrogate64 in a surrogate of its own; Surrogate32 in the tests' shared 32-bit surrogate,
// which a restart replaces for everyone.
class Restarts : public ::testing::TestWithParam<test::Placement> {};

TEST_P(Restarts, ByHandBringsThePluginBackAsItWas) {
  Architecture architecture = GetParam().architecture;
  LoadOptions options = optionsFor(GetParam());
  auto module = PluginModule::load(test::pluginPath(architecture, "b32-faulty"), options);
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  EXPECT_TRUE(faulty->isRunning());
  EXPECT_FALSE(faulty->restart()) << "a running plugin is left alone";
  faulty->loadState(faultyState(42));
  faulty->activate(48000, 4);
  uint32_t firstPid = module->surrogatePid();

  Error crash = expectError([&] { faulty->setParam(kFault, kNullDereference); });
  EXPECT_EQ(crash.kind(), Error::Kind::disconnected) << crash.message();
  ASSERT_TRUE(waitFor([&] { return callbacks.stops() == 1; }, milliseconds(5000)));
  EXPECT_FALSE(faulty->isRunning());
  EXPECT_EQ(expectError([&] { faulty->param(kExitCode); }).kind(), Error::Kind::disconnected);

  auto start = Clock::now();
  ASSERT_TRUE(faulty->restart());
  double restartTime = millisecondsSince(start);
  EXPECT_TRUE(faulty->isRunning());
  EXPECT_EQ(callbacks.restarts(), 1);
  EXPECT_NE(module->surrogatePid(), firstPid) << "a new surrogate";
  EXPECT_EQ(faulty->param(kExitCode), 42) << "its last state";
  std::vector<float> input = {0.25f, -0.5f, 0.75f, 1.0f}, output(4);
  faulty->process(1, 4, input, output);
  EXPECT_EQ(output, input) << "active again: inactive, it refuses to process";
  if (options.surrogate) {
    EXPECT_TRUE(options.surrogate->isRunning());
    EXPECT_EQ(options.surrogate->pid(), module->surrogatePid()) << "the shared one was replaced";
  }
  std::printf("[ figures  ] restart by hand (%s): %.1f ms\n",
              std::string(toString(architecture)).c_str(), restartTime);

#if _WIN32
  // A second round costs two more minutes of 32-bit starts under Wine; the 64-bit run has it.
  if (architecture == Architecture::x86 && test::runningUnderWine()) return;
#endif
  faulty->setParam(kExitCode, 9);
  Error exited = expectError([&] { faulty->setParam(kFault, kExit); });
  EXPECT_NE(exited.message().find("exited with code 9"), std::string::npos) << exited.message();
  ASSERT_TRUE(waitFor([&] { return callbacks.stops() == 2; }, milliseconds(5000)));
  ASSERT_TRUE(faulty->restart());
  EXPECT_EQ(faulty->param(kExitCode), 9) << "a parameter set after the state";
  EXPECT_EQ(faulty->saveState(), faultyState(9));
  EXPECT_EQ(callbacks.restarts(), 2);
}

// With an automatic RestartPolicy a library whose surrogate stopped comes back by itself, before
// any call, its functions bound again, and the application hears of the stop and the restart.
TEST_P(Restarts, ALibraryComesBackByItselfAndSaysSo) {
  auto path = test::pluginPath(GetParam().architecture, "b32-library");
  ASSERT_EQ(inspectModuleFile(path, "fixture").architecture, GetParam().architecture);
  ModuleReports reports;
  LoadOptions options = optionsFor(GetParam());
  options.restart.automatic = true;
  options.restart.firstDelay = milliseconds(50);
  options.events = reports.events();
  auto library = Library::load(path, options);
  auto add = library->function("int add(int a, int b);");
  EXPECT_EQ(add->call({1, 2}).value.asInt64(), 3);
  uint32_t first = library->surrogatePid();

  ASSERT_TRUE(test::killProcess(first));
  auto lines = reports.await(2, milliseconds(120'000));
  ASSERT_EQ(lines.size(), 2u) << (lines.empty() ? "nothing heard" : lines[0]);
  EXPECT_NE(lines[0].find("stopped: "), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(std::to_string(first)), std::string::npos) << "names it: " << lines[0];
  EXPECT_EQ(lines[1], "restarted");
  uint32_t second = library->surrogatePid();
  EXPECT_NE(second, first) << "a new surrogate, with no call asking for it";
  EXPECT_EQ(add->call({2, 3}).value.asInt64(), 5);
  EXPECT_EQ(library->surrogatePid(), second) << "the call found the library running";
  EXPECT_EQ(reports.await(3, milliseconds(0)).size(), 2u) << "nothing more to say";
}

// Without automatic restarts the stop is heard at once, and the library comes back at its next
// call, which the application hears of too.
TEST(Restart, ALibraryComesBackAtItsNextCallAndSaysSo) {
  auto path = test::pluginPath(Architecture::x64, "b32-library");
  ModuleReports reports;
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.events = reports.events();
  auto library = Library::load(path, options);
  auto add = library->function("int add(int a, int b);");
  uint32_t first = library->surrogatePid();

  ASSERT_TRUE(test::killProcess(first));
  auto lines = reports.await(1, milliseconds(10'000));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("stopped: "), std::string::npos) << lines[0];
  EXPECT_EQ(library->surrogatePid(), first) << "not restarted by itself";
  EXPECT_EQ(add->call({4, 5}).value.asInt64(), 9);
  EXPECT_NE(library->surrogatePid(), first);
  EXPECT_EQ(reports.await(2, milliseconds(0)), (std::vector<std::string>{lines[0], "restarted"}));
}

INSTANTIATE_TEST_SUITE_P(Faulty, Restarts, ::testing::Values(test::kSurrogate64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

// Every instance of a module loses its surrogate together; the first restart starts the new one
// and loads the module there, the next joins it.
TEST(Restart, InstancesOfAModuleComeBackInOneNewSurrogate) {
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"),
                                   optionsFor(test::kSurrogate64));
  RecordingCallbacks firstCallbacks, secondCallbacks;
  auto first = module->createInstance(kFaulty, firstCallbacks);
  auto second = module->createInstance(kFaulty, secondCallbacks);
  second->setParam(kExitCode, 77);
  expectError([&] { first->setParam(kFault, kAbort); });
  ASSERT_TRUE(waitFor([&] { return firstCallbacks.stops() == 1 && secondCallbacks.stops() == 1; },
                      milliseconds(5000)));
  EXPECT_FALSE(second->isRunning()) << "it shared the surrogate";

  ASSERT_TRUE(first->restart());
  uint32_t newPid = module->surrogatePid();
  EXPECT_FALSE(second->isRunning()) << "each instance comes back when it is restarted";
  ASSERT_TRUE(second->restart());
  EXPECT_EQ(module->surrogatePid(), newPid) << "no second new surrogate";
  EXPECT_EQ(second->param(kExitCode), 77);
  auto third = module->createInstance(kFaulty, firstCallbacks);
  EXPECT_EQ(third->param(kExitCode), 3) << "a new instance starts fresh";
}

// Automatic restarts wait a back-off that doubles, stop after the limit in a row, and start
// again after a restart by hand.
TEST(Restart, AutomaticWithBackOffAndALimit) {
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.restart.automatic = true;
  options.restart.maxAttempts = 3;
  options.restart.firstDelay = milliseconds(100);
  options.restart.maxDelay = milliseconds(300);
  options.restart.stableAfter = milliseconds(60'000);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  faulty->setParam(kExitCode, 5);

  for (int round = 1; round <= 3; ++round) {
    Error error = expectError([&] { faulty->setParam(kFault, kExit); });
    EXPECT_NE(error.message().find("exited with code 5"), std::string::npos) << error.message();
    ASSERT_TRUE(waitFor([&] { return callbacks.restarts() == round; }, milliseconds(60'000)))
        << "round " << round << ": " << callbacks.why();
    EXPECT_TRUE(faulty->isRunning());
    EXPECT_EQ(faulty->param(kExitCode), 5) << "round " << round;
  }
  auto downtimes = callbacks.downtimes();
  ASSERT_EQ(downtimes.size(), 3u);
  EXPECT_GE(downtimes[0], 100.0);
  EXPECT_GE(downtimes[1], 200.0) << "doubled";
  EXPECT_GE(downtimes[2], 300.0) << "doubled, up to maxDelay";
  std::printf("[ figures  ] automatic restarts: down for %.0f, %.0f, %.0f ms (back-off 100, "
              "200, 300 ms)\n",
              downtimes[0], downtimes[1], downtimes[2]);

  expectError([&] { faulty->setParam(kFault, kExit); });
  ASSERT_TRUE(waitFor([&] { return !callbacks.restartFailures().empty(); }, milliseconds(5000)));
  auto failure = callbacks.restartFailures().front();
  EXPECT_FALSE(failure.willRetry);
  EXPECT_NE(failure.why.find("3 automatic restarts in a row"), std::string::npos) << failure.why;
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_FALSE(faulty->isRunning()) << "past the limit it stays stopped";
  EXPECT_EQ(callbacks.restarts(), 3);

  ASSERT_TRUE(faulty->restart());
  EXPECT_EQ(callbacks.restarts(), 4);
  expectError([&] { faulty->setParam(kFault, kExit); });
  EXPECT_TRUE(waitFor([&] { return callbacks.restarts() == 5; }, milliseconds(60'000)))
      << "a restart by hand earns the attempts back";
}

// Records the order of what a plugin tells, with a pluginStopped that takes its time (a dialog,
// say).
class SlowToHearTheStop final : public HostCallbacks {
 public:
  void pluginStopped(std::string_view) override {
    add("stop heard");
    std::this_thread::sleep_for(milliseconds(300));  // the slowness under test
    add("stop handled");
  }
  void pluginRestarted() override { add("restarted"); }
  std::vector<std::string> told() {
    std::lock_guard lock(mutex_);
    return told_;
  }

 private:
  void add(std::string what) {
    std::lock_guard lock(mutex_);
    told_.push_back(std::move(what));
  }
  std::mutex mutex_;
  std::vector<std::string> told_;
};

// An automatic restart without a back-off waits until the application has heard the stop: the
// plugin never comes back while pluginStopped still runs.
TEST(Restart, TheStopIsHeardBeforeTheRestartEvenWithoutABackOff) {
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.restart.automatic = true;
  options.restart.firstDelay = milliseconds(0);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  SlowToHearTheStop callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  ASSERT_TRUE(test::killProcess(module->surrogatePid()));
  ASSERT_TRUE(waitFor([&] { return callbacks.told().size() == 3; }, milliseconds(60'000)));
  EXPECT_EQ(callbacks.told(),
            (std::vector<std::string>{"stop heard", "stop handled", "restarted"}));
  EXPECT_TRUE(faulty->isRunning());
}

// Restarts the plugin by hand from inside pluginStopped, as an application may.
class RestartingWhenStopped final : public HostCallbacks {
 public:
  PluginInstance* plugin = nullptr;
  std::atomic<bool> done{false};
  std::atomic<bool> restarted{false};

  void pluginStopped(std::string_view) override {
    std::this_thread::sleep_for(milliseconds(300));  // a dialog first, say: the automatic restart
                                                     // has begun meanwhile
    try {
      plugin->restart();
    } catch (const Error&) {
      // Refused or failed: the point is that it returns.
    }
    done = true;
  }
  void pluginRestarted() override { restarted = true; }
};

// The application restarts the plugin by hand as it hears the stop while the module's automatic
// restart, with no back-off, brings the plugin back too: one of them does it and the other finds
// it done, neither waiting for the other (it deadlocked: the automatic restart waited for the
// stop report to end while holding what the restart by hand needed).
TEST(Restart, ARestartByHandFromPluginStoppedMeetsTheAutomaticOne) {
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.restart.automatic = true;
  options.restart.firstDelay = milliseconds(0);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  RestartingWhenStopped callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  callbacks.plugin = faulty.get();
  ASSERT_TRUE(test::killProcess(module->surrogatePid()));
  ASSERT_TRUE(waitFor([&] { return callbacks.done.load(); }, milliseconds(20'000)))
      << "restart() inside pluginStopped did not return";
  EXPECT_TRUE(waitFor([&] { return faulty->isRunning() && callbacks.restarted; },
                      milliseconds(20'000)));
  EXPECT_EQ(faulty->param(kExitCode), 3) << "it answers";
}

// The application lets go of the plugin and its module when it hears the stop, while the
// module's automatic restart, with no back-off, is bringing the plugin back: neither waits for
// the other, and nothing is used once gone.
TEST(Restart, LettingGoInPluginStoppedWhileTheModuleRestartsByItself) {
  LettingGo callbacks;
  callbacks.dropModuleToo = true;
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.restart.automatic = true;
  options.restart.firstDelay = milliseconds(0);
  callbacks.module =
      PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  callbacks.plugin = callbacks.module->createInstance(kFaulty, callbacks);
  ASSERT_TRUE(test::killProcess(callbacks.module->surrogatePid()));
  EXPECT_TRUE(waitFor([&] { return callbacks.done.load(); }, milliseconds(10'000)))
      << "letting go inside pluginStopped did not finish";
}

// The restart's thread lets go of the stopped surrogate last while pluginStopped, on that
// surrogate's loop thread, lets go of the module, which waits for the restart: neither waits for
// the other (it deadlocked: the stopped surrogate's shutdown waited for its loop thread).
TEST(Restart, LettingGoInPluginStoppedOnceTheModuleRestartedByItself) {
  LettingGo callbacks;
  callbacks.dropModuleToo = true;
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.restart.automatic = true;
  options.restart.firstDelay = milliseconds(0);
  callbacks.module =
      PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  callbacks.plugin = callbacks.module->createInstance(kFaulty, callbacks);
  callbacks.awaitSurrogateOtherThan = callbacks.module->surrogatePid();
  ASSERT_TRUE(test::killProcess(callbacks.awaitSurrogateOtherThan));
  EXPECT_TRUE(waitFor([&] { return callbacks.done.load(); }, milliseconds(15'000)))
      << "letting go inside pluginStopped did not finish";
}

// A restart that cannot start its surrogate is reported, retried within the limit, and leaves
// the plugin stopped; it comes back once the surrogate can start again.
TEST(Restart, ARestartThatFailsIsReportedAndRetried) {
  auto directory = test::outputDir() / "restart-surrogate";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  auto original = test::surrogatePath(Architecture::x64);
  auto surrogate = directory / original.filename();
  auto away = directory / "surrogate-moved-away";
  std::filesystem::copy_file(original, surrogate);
  LoadOptions options = optionsFor(test::kSurrogate64);
  options.surrogateDirectory = directory;
  options.restart.automatic = true;
  options.restart.maxAttempts = 2;
  options.restart.firstDelay = milliseconds(50);
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"), options);
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  faulty->setParam(kExitCode, 11);

  // Running executables can be renamed, on Windows too.
  std::filesystem::rename(surrogate, away);
  expectError([&] { faulty->setParam(kFault, kNullDereference); });
  ASSERT_TRUE(waitFor([&] { return callbacks.restartFailures().size() == 2; }, milliseconds(30'000)));
  auto failures = callbacks.restartFailures();
  EXPECT_TRUE(failures[0].willRetry);
  EXPECT_FALSE(failures[1].willRetry);
  EXPECT_NE(failures[0].why.find(utf8(surrogate)), std::string::npos)
      << "names the surrogate that would not start: " << failures[0].why;
  EXPECT_FALSE(faulty->isRunning());
  Error byHand = expectError([&] { faulty->restart(); });
  EXPECT_EQ(byHand.kind(), Error::Kind::surrogateStart) << byHand.message();
  EXPECT_FALSE(faulty->isRunning());

  std::filesystem::rename(away, surrogate);
  ASSERT_TRUE(faulty->restart());
  EXPECT_EQ(faulty->param(kExitCode), 11);
  EXPECT_EQ(callbacks.restarts(), 1);
}

// ----- no leaks --------------------------------------------------------------------------------

// What this process holds that a surrogate's life could leave behind.
struct Resources {
  size_t handles = 0;   // Windows: kernel handles; Linux: open file descriptors
  size_t threads = 0;
  size_t children = 0;  // child processes, zombies included
  std::string childList;  // "name (pid), ..."
  size_t windows = 0;   // Windows: top-level windows of this process
  size_t sharedMappings = 0;  // Linux: mappings of memory shared with surrogates for calls

  static Resources now() {
    Resources counted;
#if _WIN32
    // Probed one by one: Wine answers GetProcessHandleCount with 0. Handle values are multiples
    // of 4; a process of this size stays well below 0x10000.
    for (uintptr_t value = 4; value < 0x10000; value += 4) {
      DWORD flags;
      if (GetHandleInformation(reinterpret_cast<HANDLE>(value), &flags)) ++counted.handles;
    }
    win32::Handle snapshot(CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD | TH32CS_SNAPPROCESS, 0));
    THREADENTRY32 thread{};
    thread.dwSize = sizeof thread;
    for (BOOL more = Thread32First(snapshot.get(), &thread); more;
         more = Thread32Next(snapshot.get(), &thread)) {
      if (thread.th32OwnerProcessID == GetCurrentProcessId()) ++counted.threads;
    }
    PROCESSENTRY32W process{};
    process.dwSize = sizeof process;
    for (BOOL more = Process32FirstW(snapshot.get(), &process); more;
         more = Process32NextW(snapshot.get(), &process)) {
      if (process.th32ParentProcessID == GetCurrentProcessId()) {
        ++counted.children;
        counted.childList += win32::narrow(process.szExeFile) + " (" +
                             std::to_string(process.th32ProcessID) + ") ";
      }
    }
    EnumWindows(
        [](HWND window, LPARAM count) -> BOOL {
          DWORD owner = 0;
          GetWindowThreadProcessId(window, &owner);
          if (owner == GetCurrentProcessId()) ++*reinterpret_cast<size_t*>(count);
          return TRUE;
        },
        reinterpret_cast<LPARAM>(&counted.windows));
#else
    auto count = [](const char* directory) {
      auto entries = std::filesystem::directory_iterator(directory);
      return size_t(std::distance(begin(entries), end(entries)));
    };
    counted.handles = count("/proc/self/fd");
    counted.threads = count("/proc/self/task");
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
      counted.sharedMappings += line.find("bridge32 call memory") != std::string::npos;
    }
    std::string self = std::to_string(getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;  // not a process
      std::ifstream stat(entry.path() / "stat");
      std::string text((std::istreambuf_iterator<char>(stat)), {});
      size_t close = text.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(text.substr(close + 2));
      std::string state, parent;
      fields >> state >> parent;
      if (parent == self) {
        ++counted.children;
        counted.childList += text.substr(text.find('(')) + " (" + name + ") ";
      }
    }
#endif
    return counted;
  }
};

// 100 cycles of a plugin crashing, exiting, or hanging until killed, and then restarting in a
// new surrogate; every tenth cycle also unloads the module and loads it again. Then nothing the
// old surrogates used may still be held by the host.
TEST(Leaks, HundredCrashTimeoutAndRestartCyclesLeaveNothingBehind) {
  RecordingCallbacks callbacks;
  std::unique_ptr<PluginModule> module;
  std::unique_ptr<PluginInstance> faulty;
  auto cycle = [&](int i) {
    try {
      if (i % 10 == 0 || !faulty) {  // and again after a cycle whose load failed
        faulty.reset();
        module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-faulty"),
                                    optionsFor(test::kSurrogate64));
        faulty = module->createInstance(kFaulty, callbacks);
      }
      faulty->setParam(kExitCode, i % 256);
      Fault fault = i % 3 == 0 ? kNullDereference : i % 3 == 1 ? kExit : kSpin;
      {
        CallDeadline deadline(milliseconds(200));
        Error error = expectError([&] { faulty->setParam(kFault, fault); });
        EXPECT_NE(error.kind(), Error::Kind::failed) << error.message();
      }
      EXPECT_TRUE(faulty->restart()) << "cycle " << i;
      EXPECT_EQ(faulty->param(kExitCode), i % 256) << "cycle " << i;
    } catch (const std::exception& error) {
      ADD_FAILURE() << "cycle " << i << ": " << error.what();
    }
  };
  // One cycle of each kind first: they set up what every later one shares (loggers, the job
  // object, the system's lazily made pools). Counting too: under Wine, the first EnumWindows
  // starts the desktop process (explorer.exe) as this process's child.
  for (int i = 0; i < 3; ++i) cycle(i);
  Resources::now();
  auto settled = [](const Resources& limit, size_t slack) {
    Resources now;
    waitFor([&] {
      now = Resources::now();
      return now.handles <= limit.handles + slack && now.threads <= limit.threads &&
             now.children <= limit.children && now.windows <= limit.windows;
    }, milliseconds(5000));
    return now;
  };
  Resources before = Resources::now();
  auto start = Clock::now();
  for (int i = 3; i < 53; ++i) cycle(i);
  Resources middle = settled(before, 0);
  for (int i = 53; i < 103; ++i) cycle(i);
  double elapsed = millisecondsSince(start);
  Resources after = settled(middle, 0);
  std::printf("[ figures  ] 100 crash and restart cycles in %.0f ms; handles %zu -> %zu -> %zu, "
              "threads %zu -> %zu, child processes %zu -> %zu, windows %zu -> %zu\n",
              elapsed, before.handles, middle.handles, after.handles, before.threads,
              after.threads, before.children, after.children, before.windows, after.windows);
  // A handle or two may still be on its way out when counted (Wine closes some late); one
  // leaked per cycle would be 50 between the halves.
  EXPECT_LE(after.handles, middle.handles + 2);
  EXPECT_LE(after.handles, before.handles + 2);
  EXPECT_LE(after.threads, before.threads);
  EXPECT_LE(after.children, before.children)
      << "before: " << before.childList << "; after: " << after.childList;
  EXPECT_LE(after.windows, before.windows);
  EXPECT_EQ(callbacks.restarts(), 103);
}

// Calls with large arrays whose surrogate crashes or passes the deadline while the call's shared
// memory is leased: each an Error, the next call in a new surrogate, and nothing of the old ones
// kept: no descriptor or handle, thread, process or mapping.
TEST(Leaks, BulkCallsThatCrashOrHangLeaveNoSharedMemoryBehind) {
  auto library = Library::load(test::pluginPath(Architecture::x86, "b32-library"),
                               optionsFor(test::kSurrogate32));
  auto scale = library->bind<void(double, std::span<const double>, int, std::vector<double>&)>(
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  // Declared with the arrays a bulk call has, which the exports ignore (cdecl).
  auto crash = library->function(
      "void crash(_In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  auto hang = library->function(
      "void hang(_In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  std::vector<double> x(100'000), y;
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i);
  // A call lost, then one in the new surrogate.
  auto cycle = [&](int i) {
    try {
      {
        CallDeadline deadline(milliseconds(200));
        Error error =
            expectError([&] { (i % 2 ? crash : hang)->call({Value(x), int(x.size())}); });
        EXPECT_EQ(error.kind(), i % 2 ? Error::Kind::disconnected : Error::Kind::timeout)
            << error.message();
      }
      scale(3.0, x, int(x.size()), y);
      EXPECT_EQ(y.back(), 3.0 * x.back()) << "cycle " << i;
    } catch (const std::exception& error) {
      ADD_FAILURE() << "cycle " << i << ": " << error.what();
    }
  };
  // Until what is kept for reuse is there: a surrogate's segments to take turns among
  // (SegmentPool::kRotation), the surrogates crash() and hang() last ran in.
  for (int i = 0; i < 4; ++i) cycle(i);
  Resources before = Resources::now();
  for (int i = 4; i < 34; ++i) cycle(i);
  // Slack for handles: each of crash() and hang() holds the surrogate it last ran in (gone)
  // until it is called again, and Wine closes some handles late; one left per cycle would be 30.
  constexpr size_t kSlack = 10;
  Resources after;
  waitFor([&] {
    after = Resources::now();
    return after.handles <= before.handles + kSlack && after.threads <= before.threads &&
           after.children <= before.children && after.sharedMappings <= before.sharedMappings;
  }, milliseconds(5000));
  std::printf("[ figures  ] 30 bulk calls lost to crashes and hangs; handles %zu -> %zu, threads "
              "%zu -> %zu, children %zu -> %zu, shared mappings %zu -> %zu\n",
              before.handles, after.handles, before.threads, after.threads, before.children,
              after.children, before.sharedMappings, after.sharedMappings);
  EXPECT_LE(after.handles, before.handles + kSlack);
  EXPECT_LE(after.threads, before.threads);
  EXPECT_LE(after.children, before.children) << after.childList;
  EXPECT_LE(after.sharedMappings, before.sharedMappings);
#if !_WIN32
  EXPECT_GE(after.sharedMappings, 1u) << "the calls' memory is shared";
#endif
}

}  // namespace
}  // namespace bridge32
