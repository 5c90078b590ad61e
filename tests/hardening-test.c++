// What a hostile or careless library does to the bridge (tests/fixtures/hostile-library.c), each
// defect of issue 23 in a test of its own: counts that grow after the call, text of any size,
// absurd structs and sizes, byte escapes, calls back in from host callbacks, slow host callbacks,
// and (Linux) surrogates that leave their process group, close their channel or start helpers
// that leave their session.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bridge32/library.h"
#include "harness.h"
#include "library/c-literals.h"

#if !_WIN32
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#endif

namespace bridge32 {
namespace {

using namespace std::chrono_literals;
using test::Placement;

std::filesystem::path hostileLibrary(Architecture architecture) {
  return test::pluginPath(architecture, "b32-hostile-library");
}

class Hostile : public testing::TestWithParam<Placement> {
 protected:
  void SetUp() override {
    auto path = hostileLibrary(GetParam().architecture);
    ASSERT_EQ(inspectModuleFile(path, "fixture").architecture, GetParam().architecture);
    library_ = Library::load(path, test::optionsFor(GetParam()));
  }
  bool bridged() const { return library_->isBridged(); }

  std::unique_ptr<Library> library_;
};

// Windows' "required size" convention: the library writes nothing and raises the count. The
// buffer comes back as long as it was, and the count as the library set it, which is how the
// caller learns the size it needs.
TEST_P(Hostile, AnOutBufferIsReadWithinItsSizeWhenTheLibraryRaisesTheCount) {
  auto needMore = library_->function(
      "int need_more(_Out_writes_bytes_(*size) unsigned char* buf, _Inout_ unsigned* size, "
      "unsigned required);");
  for (unsigned required : {100000u, 1000000u}) {
    CallResult result = needMore->call({16u, required});
    EXPECT_EQ(result.output("buf").size(), 16u) << required;
    EXPECT_EQ(result.output("size").asUint64(), required);
  }
  // A string buffer filled to its end, no NUL, and a count raised past it: its 16 characters.
  auto fillMore = library_->function(
      "int fill_more(_Out_writes_z_(*size) char* buf, _Inout_ unsigned* size);");
  CallResult filled = fillMore->call({16u});
  EXPECT_EQ(filled.output("buf").asString(), std::string(16, 'a'));
  EXPECT_EQ(filled.output("size").asUint64(), 16000u);
  // Without _z_, a char buffer is text of its length all the same: no NUL needed.
  auto fillChars =
      library_->function("int fill_more(_Out_writes_(*size) char* buf, _Inout_ unsigned* size);");
  EXPECT_EQ(fillChars->call({16u}).output("buf").asString(), std::string(16, 'a'));
}

TEST_P(Hostile, StringsOfAnySizeArriveWhole) {
  auto length = library_->function("size_t text_length(_In_z_ const char* s);");
  for (size_t bytes : {size_t(65536), size_t(65537), size_t(1) << 20, size_t(4) << 20}) {
    EXPECT_EQ(length->call({std::string(bytes, 'y')}).value.asUint64(), bytes);
  }
  auto longText = library_->function("_Ret_z_ const char* long_text(int n);");
  for (int bytes : {65537, 1 << 20}) {
    EXPECT_EQ(longText->call({bytes}).value.asString().size(), size_t(bytes));
  }
  // Past what one message carries, an argument goes through shared memory, whole.
  EXPECT_EQ(length->call({std::string(20u << 20, 'y')}).value.asUint64(), 20u << 20);
  if (!bridged()) return;
  // A result with more text than one message carries is refused, naming it; never cut.
  Error tooLong = test::expectError([&] { longText->call({20 << 20}); });
  EXPECT_EQ(tooLong.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(tooLong.message().find("the result of 'long_text'"), std::string::npos)
      << tooLong.what();
  EXPECT_EQ(length->call({std::string(10, 'y')}).value.asUint64(), 10u);  // still serving
}

TEST_P(Hostile, AStructTooLargeToPassByValueIsRefusedWhenBound) {
  auto started = std::chrono::steady_clock::now();
  for (const char* size : {"16000000", "250000000"}) {
    Error error = test::expectError([&] {
      library_->function(std::string("struct Big { char a[") + size +
                         "]; }; int take_big(struct Big b, int x);");
    });
    EXPECT_EQ(error.kind(), Error::Kind::unsupported) << error.what();
    EXPECT_NE(error.message().find("parameter 'b'"), std::string::npos) << error.what();
    EXPECT_NE(error.message().find("by value"), std::string::npos) << error.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  // What fits is bound and called as before.
  auto small = library_->function("struct Small { char a[1000]; }; int take_big(int x);");
  EXPECT_EQ(small->call({7}).value.asInt64(), 7);
}

TEST_P(Hostile, ASizeThatWouldOverflowIsRefused) {
  auto sum = library_->function("int sum_in(_In_reads_(n) const int* x, long long n);");
  EXPECT_EQ(sum->call({std::vector<Value>{5, 6}, 2}).value.asInt64(), 11);
  for (int64_t n : {(int64_t(1) << 62) + 1, (int64_t(1) << 61) + 1, int64_t(1) << 30, int64_t(-1)}) {
    Error error = test::expectError([&] { sum->call({std::vector<Value>{5}, n}); });
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << n;
    EXPECT_NE(error.message().find("'x'"), std::string::npos) << error.what();
  }
}

TEST_P(Hostile, ByteEscapesReachTheLibraryAsTheBytesWritten) {
  Value bytes = library::parseLiteral(R"("\xff\xfe")");
  auto length = library_->function("size_t text_length(_In_z_ const char* s);");
  auto byteAt = library_->function("unsigned byte_at(_In_z_ const char* s, int i);");
  EXPECT_EQ(length->call({bytes}).value.asUint64(), 2u);
  EXPECT_EQ(byteAt->call({bytes, 0}).value.asUint64(), 0xFFu);
  EXPECT_EQ(byteAt->call({bytes, 1}).value.asUint64(), 0xFEu);
}

INSTANTIATE_TEST_SUITE_P(Placements, Hostile,
                         testing::Values(test::kInProcess64, test::kSurrogate64,
                                         test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

class HostileBridged : public Hostile {};

// A host callback that calls a function of the library its call is in: the surrogate's thread
// that would answer is the one waiting for the callback. The lane refuses it at once, as the pipe
// does, instead of waiting out the deadline.
TEST_P(HostileBridged, ACallBackIntoTheLibraryFromAHostCallbackIsRefusedAtOnce) {
  auto byteAt = library_->function("unsigned byte_at(_In_z_ const char* s, int i);");
  auto callBack = library_->function("int call_back(int (*f)(int), int x);");
  EXPECT_EQ(byteAt->call({"A", 0}).value.asUint64(), 65u);  // the lane is open
  CallDeadline deadline(10s);
  std::optional<Error::Kind> refused;
  std::chrono::steady_clock::duration took{};
  Callback reentering = [&](std::span<const Value> arguments) -> Value {
    auto started = std::chrono::steady_clock::now();
    try {
      byteAt->call({"B", 0});
    } catch (const Error& error) {
      refused = error.kind();
    }
    took = std::chrono::steady_clock::now() - started;
    return Value(arguments[0].asInt64() + 1);
  };
  EXPECT_EQ(callBack->call({41}, {reentering}).value.asInt64(), 42);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(*refused, Error::Kind::badState);
  EXPECT_LT(took, 1s);
  EXPECT_EQ(byteAt->call({"C", 0}).value.asUint64(), 67u);
}

// A call's deadline bounds the surrogate's time: a host callback that takes longer than the
// deadline (the application's own time) neither fails the call nor kills the surrogate.
TEST_P(HostileBridged, TheHostsOwnTimeInACallbackDoesNotCountAgainstTheDeadline) {
  auto callBack = library_->function("int call_back(int (*f)(int), int x);");
  uint32_t pid = library_->surrogatePid();
  Callback slow = [](std::span<const Value> arguments) -> Value {
    std::this_thread::sleep_for(1500ms);  // the application being slow, which is the point
    return Value(arguments[0].asInt64() * 2);
  };
  {
    CallDeadline deadline(500ms);
    EXPECT_EQ(callBack->call({21}, {slow}).value.asInt64(), 42);
  }
  EXPECT_EQ(library_->surrogatePid(), pid);  // the same surrogate: not killed
  // The surrogate's own time still counts: a callback that returns at once, a deadline that holds.
  Callback quick = [](std::span<const Value> arguments) -> Value { return arguments[0]; };
  CallDeadline deadline(5s);
  EXPECT_EQ(callBack->call({5}, {quick}).value.asInt64(), 5);
}

#if _WIN32
// One 32-bit Windows surrogate start costs about a minute under Wine and QEMU: the x64 one covers
// the rules, which live in the host.
INSTANTIATE_TEST_SUITE_P(Placements, HostileBridged, testing::Values(test::kSurrogate64),
                         [](const auto& info) { return std::string(info.param.name); });
#else
INSTANTIATE_TEST_SUITE_P(Placements, HostileBridged,
                         testing::Values(test::kSurrogate64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });
#endif

#if !_WIN32

// True once process `pid` has ended (a zombie has), waiting up to `within`: a pidfd becomes
// readable when its process ends.
bool endsWithin(uint32_t pid, std::chrono::milliseconds within) {
  int pidfd = int(syscall(SYS_pidfd_open, pid_t(pid), 0));
  if (pidfd < 0) return errno == ESRCH;
  pollfd ended{pidfd, POLLIN, 0};
  int ready;
  while ((ready = poll(&ended, 1, int(within.count()))) < 0 && errno == EINTR) {
  }
  close(pidfd);
  return ready == 1;
}

bool isRunning(uint32_t pid) { return !endsWithin(pid, 0ms); }

// Each test has an x86 surrogate of its own, since each ends it.
class HostileProcess : public testing::Test {
 protected:
  void SetUp() override {
    LoadOptions options = test::baseOptions();
    options.isolation = Isolation::surrogate;
    library_ = Library::load(hostileLibrary(Architecture::x86), options);
    pid_ = library_->surrogatePid();
    ASSERT_TRUE(isRunning(pid_));
  }

  std::unique_ptr<Library> library_;
  uint32_t pid_ = 0;
};

// A surrogate that moved into another process group (the host's) is killed all the same when
// its call passes the deadline.
TEST_F(HostileProcess, ASurrogateThatLeftItsProcessGroupIsKilledWhenItHangs) {
  auto spin = library_->function("void spin_in_other_group(void);");
  CallDeadline deadline(1s);
  Error error = test::expectError([&] { spin->call({}); });
  EXPECT_EQ(error.kind(), Error::Kind::timeout) << error.what();
  EXPECT_TRUE(endsWithin(pid_, 5s)) << "surrogate " << pid_ << " still runs after its kill";
}

// A library that closes every descriptor leaves its surrogate without a channel: the host ends
// it at once, and the call in flight fails saying why instead of waiting out its deadline; the
// next call runs in a new surrogate.
TEST_F(HostileProcess, ASurrogateWhoseChannelClosesIsEndedAtOnce) {
  auto closeAll = library_->function("int close_every_descriptor(unsigned then_sleep);");
  auto started = std::chrono::steady_clock::now();
  CallDeadline deadline(20s);
  Error error = test::expectError([&] { closeAll->call({30}); });
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.what();
  // How it ended: killed by the host for running on without its channel or, as often, ended by
  // itself when its own event loop found its descriptors gone (kj aborts on EBADF).
  EXPECT_TRUE(error.message().find("channel to the host closed") != std::string::npos ||
              error.message().find("was killed by signal 6") != std::string::npos)
      << error.what();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(endsWithin(pid_, 2s)) << "surrogate " << pid_ << " runs on without its channel";
  auto length = library_->function("size_t text_length(_In_z_ const char* s);");
  EXPECT_EQ(length->call({"four"}).value.asUint64(), 4u);
  EXPECT_NE(library_->surrogatePid(), pid_);
}

// A helper a library started that left the surrogate's session (setsid) ends with the surrogate.
TEST_F(HostileProcess, AHelperThatCalledSetsidEndsWhenTheLibraryIsUnloaded) {
  auto startHelper = library_->function("int start_helper(void);");
  auto helper = uint32_t(startHelper->call({}).value.asInt64());
  ASSERT_GT(helper, 0u);
  ASSERT_TRUE(isRunning(helper));
  auto unloaded = std::chrono::steady_clock::now();
  startHelper.reset();  // the library's last user: it unloads, and its surrogate ends
  library_.reset();
  EXPECT_TRUE(endsWithin(pid_, 5s));
  EXPECT_TRUE(endsWithin(helper, 5s)) << "helper " << helper << " outlived its surrogate";
  EXPECT_LT(std::chrono::steady_clock::now() - unloaded, 5s);
}

// The same when the surrogate is killed instead (its call hung): only the cgroup the host made
// for it can end what it started then.
TEST_F(HostileProcess, AHelperThatCalledSetsidEndsWhenItsSurrogateIsKilled) {
  std::ifstream cgroup("/proc/" + std::to_string(pid_) + "/cgroup");
  std::string groups((std::istreambuf_iterator<char>(cgroup)), std::istreambuf_iterator<char>());
  if (groups.find("bridge32-surrogate-") == std::string::npos) {
    GTEST_SKIP() << "no cgroup of its own for the surrogate here (cgroup v2 not writable): a "
                    "helper can outlive a killed surrogate, as README.md says";
  }
  auto startHelper = library_->function("int start_helper(void);");
  auto helper = uint32_t(startHelper->call({}).value.asInt64());
  ASSERT_TRUE(isRunning(helper));
  auto spin = library_->function("void spin_in_other_group(void);");
  CallDeadline deadline(1s);
  EXPECT_EQ(test::expectError([&] { spin->call({}); }).kind(), Error::Kind::timeout);
  EXPECT_TRUE(endsWithin(pid_, 5s));
  EXPECT_TRUE(endsWithin(helper, 5s)) << "helper " << helper << " outlived its killed surrogate";
}

// ---- The sandbox -------------------------------------------------------------------------------

// A byte of this process's, for a module to try to read.
volatile unsigned char gHostSecret = 0x5A;

// What a module running as the same user does to reach the application: the same attacks from
// an ordinary surrogate, where they work (run as root here, or any user where Yama allows it),
// and from a sandboxed one, where each fails.
class SandboxAttacks : public testing::TestWithParam<Architecture> {
 protected:
  struct Reach {
    int memory;      // the byte read, or -1
    int vmRead;      // the byte read through process_vm_readv, -1 refused, -2 a bad address
    int reopened;    // 1: a descriptor of the host reopened through /proc
    int taken;       // 1: a descriptor of the host taken with pidfd_getfd
    int traced;      // 1: PTRACE_SEIZE on the host worked
    int seesHost;    // 1: /proc/<host pid> exists
  };

  Reach attack(bool sandboxed) {
    LoadOptions options = test::baseOptions();
    options.isolation = Isolation::surrogate;
    options.sandbox = sandboxed;
    auto library = Library::load(hostileLibrary(GetParam()), options);
    auto hostPid = int(getpid());
    auto address = uint64_t(reinterpret_cast<uintptr_t>(&gHostSecret));
    Reach reach;
    reach.memory = int(library->function("int read_memory_of(int pid, unsigned long long address);")
                           ->call({hostPid, address}).value.asInt64());
    reach.vmRead = int(library->function("int vm_read_of(int pid, unsigned long long address);")
                           ->call({hostPid, address}).value.asInt64());
    reach.reopened = int(library->function("int open_fd_of(int pid, int fd);")
                             ->call({hostPid, hostFile_}).value.asInt64());
    reach.taken = int(library->function("int steal_fd_of(int pid, int fd);")
                          ->call({hostPid, hostFile_}).value.asInt64());
    reach.traced = int(library->function("int seize(int pid);")->call({hostPid}).value.asInt64());
    reach.seesHost = int(library->function("int sees_host_pid(int pid);")->call({hostPid}).value.asInt64());
    return reach;
  }

  void SetUp() override {
    hostFile_ = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(hostFile_, 0);
  }
  void TearDown() override { close(hostFile_); }

  int hostFile_ = -1;
};

TEST_P(SandboxAttacks, ReachTheApplicationFromAnOrdinarySurrogateAndFailFromASandboxedOne) {
  if (geteuid() == 0) {
    // As root every attack works from an ordinary surrogate: the sandbox is what stops them.
    Reach outside = attack(false);
    EXPECT_EQ(outside.memory, 0x5A);
    EXPECT_EQ(outside.reopened, 1);
    EXPECT_EQ(outside.taken, 1);
    // (An i386 surrogate may run under user-mode QEMU, which implements no ptrace for its guest.)
    if (GetParam() == Architecture::x64) {
      EXPECT_EQ(outside.traced, 1);
    }
    EXPECT_EQ(outside.seesHost, 1);
  }
  Reach inside = attack(true);
  EXPECT_EQ(inside.memory, -1);
  EXPECT_EQ(inside.vmRead, -1);
  EXPECT_EQ(inside.reopened, 0);
  EXPECT_EQ(inside.taken, 0);
  EXPECT_EQ(inside.traced, 0);
  EXPECT_EQ(inside.seesHost, 0);
}

INSTANTIATE_TEST_SUITE_P(Architectures, SandboxAttacks,
                         testing::Values(Architecture::x86, Architecture::x64),
                         [](const auto& info) { return std::string(toString(info.param)); });

TEST(Sandbox, OrdinaryLibrariesAndPluginsWorkInIt) {
  LoadOptions options = test::baseOptions();
  options.sandbox = true;
  auto library = Library::load(test::pluginPath(Architecture::x86, "b32-library"), options);
  EXPECT_TRUE(library->isBridged());
  EXPECT_EQ(library->function("int add(int a, int b);")->call({2, 40}).value.asInt64(), 42);
  auto scale = library->function(
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  EXPECT_EQ(scale->call({2.0, std::vector<Value>{1.0, 2.0}, 2}).output("y"),
            Value(std::vector<Value>{2.0, 4.0}));
  // A 64-bit module too: sandboxed means in a surrogate, whatever its bitness.
  auto library64 = Library::load(test::pluginPath(Architecture::x64, "b32-library"), options);
  EXPECT_TRUE(library64->isBridged());
  EXPECT_EQ(library64->function("int add(int a, int b);")->call({1, 2}).value.asInt64(), 3);

  auto module = PluginModule::load(test::pluginPath(Architecture::x86, "b32-samples"), options);
  test::RecordingCallbacks callbacks;
  auto gain = module->createInstance(module->plugins().at(0).id, callbacks);
  gain->setParam(1, 0.5);  // the gain
  gain->activate(48000, 64);
  std::vector<float> in(2 * 64, 1.0f), out(2 * 64, 0.0f);
  gain->process(2, 64, in, out);
  EXPECT_GT(out[64 + 63], 0.0f);
  EXPECT_LT(out[64 + 63], 1.0f);
}

TEST(Sandbox, IsASurrogatesAndOnlyASandboxedSurrogateTakesASandboxedModule) {
  LoadOptions options = test::baseOptions();
  options.sandbox = true;
  options.isolation = Isolation::inProcess;
  Error inProcess = test::expectError(
      [&] { Library::load(test::pluginPath(Architecture::x64, "b32-library"), options); });
  EXPECT_EQ(inProcess.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(inProcess.message().find("sandbox"), std::string::npos) << inProcess.what();
  options.isolation = Isolation::automatic;
  options.surrogate = test::sharedX86();
  Error shared = test::expectError(
      [&] { Library::load(test::pluginPath(Architecture::x86, "b32-library"), options); });
  EXPECT_EQ(shared.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(shared.message().find("not"), std::string::npos) << shared.what();
}

// A sandboxed surrogate is the first process of its PID namespace: when it is killed the kernel
// ends everything in it, so a helper that left its session goes too, cgroup or not.
TEST(Sandbox, WhatASandboxedModuleStartedEndsWithItsSurrogate) {
  LoadOptions options = test::baseOptions();
  options.sandbox = true;
  auto library = Library::load(hostileLibrary(Architecture::x86), options);
  uint32_t pid = library->surrogatePid();
  auto startHelper = library->function("int start_helper(void);");
  EXPECT_GT(startHelper->call({}).value.asInt64(), 1);  // a pid in its own namespace
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  uint32_t helper = 0;
  children >> helper;  // the helper as this process numbers it
  ASSERT_GT(helper, 0u);
  auto spin = library->function("void spin_in_other_group(void);");
  CallDeadline deadline(1s);
  EXPECT_EQ(test::expectError([&] { spin->call({}); }).kind(), Error::Kind::timeout);
  EXPECT_TRUE(endsWithin(pid, 5s));
  EXPECT_TRUE(endsWithin(helper, 5s)) << "helper " << helper << " outlived its sandbox";
}

#endif

// The surrogate's environment is the application's unless LoadOptions::environment gives one.
// (x64 on Windows: a 32-bit Windows surrogate costs a minute under Wine and QEMU.)
TEST(SurrogateEnvironment, IsTheApplicationsOrTheOneGiven) {
#if _WIN32
  const Architecture architecture = Architecture::x64;
  _putenv_s("BRIDGE32_TEST_SECRET", "hunter2");
#else
  const Architecture architecture = Architecture::x86;
  setenv("BRIDGE32_TEST_SECRET", "hunter2", 1);
#endif
  LoadOptions options = test::baseOptions();
  options.isolation = Isolation::surrogate;
  auto inherited = Library::load(hostileLibrary(architecture), options);
  auto length = inherited->function("int getenv_length(_In_z_ const char* name);");
  EXPECT_EQ(length->call({"BRIDGE32_TEST_SECRET"}).value.asInt64(), 7);
  options.environment = std::vector<std::string>{"ONLY_THIS=1"};
  auto given = Library::load(hostileLibrary(architecture), options);
  auto lengthGiven = given->function("int getenv_length(_In_z_ const char* name);");
  EXPECT_EQ(lengthGiven->call({"BRIDGE32_TEST_SECRET"}).value.asInt64(), -1);
  EXPECT_EQ(lengthGiven->call({"ONLY_THIS"}).value.asInt64(), 1);
#if _WIN32
  _putenv_s("BRIDGE32_TEST_SECRET", "");
#else
  unsetenv("BRIDGE32_TEST_SECRET");
#endif
}

#if _WIN32
// Wine enforces neither integrity levels nor restricted tokens: what can be shown here is that a
// sandboxed surrogate (low integrity, restricted token, a job of its own) starts, connects
// through its low-labelled pipe, and serves calls and lanes.
TEST(Sandbox, ALibraryWorksInASandboxedSurrogate) {
  LoadOptions options = test::baseOptions();
  options.sandbox = true;
  auto library = Library::load(test::pluginPath(Architecture::x64, "b32-library"), options);
  EXPECT_TRUE(library->isBridged());
  auto add = library->function("int add(int a, int b);");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(add->call({i, 2}).value.asInt64(), i + 2);
  auto scale = library->function(
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  EXPECT_EQ(scale->call({2.0, std::vector<Value>{1.0, 2.0}, 2}).output("y"),
            Value(std::vector<Value>{2.0, 4.0}));
}
#endif

}  // namespace
}  // namespace bridge32
