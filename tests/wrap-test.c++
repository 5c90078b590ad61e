// A 32-bit library as a 64-bit program calls it (wrapped-library.h): the fixture's i386
// build, read from its vendor-style header for both ABIs, called through C function pointers of
// this process's ABI exactly as a program that links the library calls it.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cwchar>
#include <filesystem>
#include <fstream>

#if _WIN32
#include "win32.h"
#else
#include <dlfcn.h>
#include <unistd.h>
#endif

#include "bridge32/module-file.h"
#include "harness.h"
#include "library/loaded-library.h"
#include "wrapped-library.h"
#include "support.h"

namespace bridge32 {
namespace {

// The fixture's types as this process lays them out (tests/fixtures/headers/b32-library).
struct Point {
  int32_t x, y;
};
struct Rect {
  Point tl, br;
};
struct Mixed {
  char c;
  int64_t i;
  short s;
  double d;
};

WrapSpec fixtureSpec(std::vector<std::string> functions) {
  std::filesystem::path headers = std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" /
                                  "fixtures" / "headers" / "b32-library";
  WrapSpec spec;
  spec.library = test::pluginPath(Architecture::x86, "b32-library");
  spec.headers = {headers / "b32-library.h"};
  spec.headerOptions.includeDirectories = {headers / "include"};
  spec.headerOptions.defines = {"B32_API="};
  spec.functions = std::move(functions);
  spec.loadOptions = test::optionsFor(test::kSurrogate32);
  return spec;
}

// A name of this process's own for what it makes in the temporary directory.
std::string uniqueName(const std::string& stem) {
#if _WIN32
  return stem + "-" + std::to_string(GetCurrentProcessId());
#else
  return stem + "-" + std::to_string(getpid());
#endif
}

template <typename F>
F* entryOf(WrappedLibrary& wrapped, const std::string& name) {
  return reinterpret_cast<F*>(wrapped.entry(name));
}

TEST(Wrapped32, ScalarsOfEveryWidthCrossAsTheProgramsAbiPassesThem) {
  WrappedLibrary wrapped(fixtureSpec({"add", "neg8", "inc_u64", "hypot_d", "half_f", "mix",
                                      "not_"}));
  EXPECT_EQ(entryOf<int(int, int)>(wrapped, "add")(2, 3), 5);
  EXPECT_EQ(entryOf<int8_t(int8_t)>(wrapped, "neg8")(-128), -128);
  EXPECT_EQ(entryOf<uint64_t(uint64_t)>(wrapped, "inc_u64")(UINT64_MAX - 1), UINT64_MAX);
  EXPECT_EQ(entryOf<double(double, double)>(wrapped, "hypot_d")(3, 4), 5.0);
  EXPECT_EQ(entryOf<float(float)>(wrapped, "half_f")(3.0f), 1.5f);
  EXPECT_EQ((entryOf<double(int8_t, double, int64_t, float, uint16_t)>(wrapped, "mix")(
                1, 2.0, 3, 4.0f, 5)),
            1 + 4 + 12 + 32 + 80);
  EXPECT_FALSE(entryOf<bool(bool)>(wrapped, "not_")(true));
  EXPECT_TRUE(wrapped.library().isBridged());
  EXPECT_EQ(wrapped.library().architecture(), Architecture::x86);
}

TEST(Wrapped32, PointersAreReadAndWrittenBackInTheProgramsMemory) {
  WrappedLibrary wrapped(fixtureSpec({"scale", "reverse_inplace", "fill_bytes", "area", "grow",
                                      "mixed_bump", "mixed_fill", "mixed_total_all"}));
  double x[4] = {1, 2, 3, 4}, y[4] = {0, 0, 0, -1};
  entryOf<void(double, const double*, int, double*)>(wrapped, "scale")(2.0, x, 3, y);
  EXPECT_EQ(y[0], 2.0);
  EXPECT_EQ(y[2], 6.0);
  EXPECT_EQ(y[3], -1.0) << "written past the count the program gave";
  int32_t v[4] = {1, 2, 3, 4};
  entryOf<void(int32_t*, int)>(wrapped, "reverse_inplace")(v, 4);
  EXPECT_EQ(v[0], 4);
  EXPECT_EQ(v[3], 1);
  uint8_t bytes[8] = {};
  EXPECT_EQ((entryOf<int(void*, uint32_t, uint8_t)>(wrapped, "fill_bytes")(bytes, 7, 0xAB)), 7);
  EXPECT_EQ(bytes[6], 0xAB);
  EXPECT_EQ(bytes[7], 0);

  Rect rect{{0, 0}, {2, 3}};
  EXPECT_EQ(entryOf<double(const Rect*)>(wrapped, "area")(&rect), 6.0);
  entryOf<void(Rect*, int)>(wrapped, "grow")(&rect, 1);
  EXPECT_EQ(rect.tl.x, -1);
  EXPECT_EQ(rect.br.y, 4);
  // A struct whose layout differs between the two ABIs (24 bytes in i386 Linux, 32 here).
  Mixed mixed{1, int64_t(1) << 40, -3, 0.25};
  entryOf<void(Mixed*)>(wrapped, "mixed_bump")(&mixed);
  EXPECT_EQ(mixed.c, 2);
  EXPECT_EQ(mixed.i, (int64_t(1) << 40) + 1);
  EXPECT_EQ(mixed.s, -2);
  EXPECT_EQ(mixed.d, 1.25);
  Mixed records[3] = {};
  entryOf<void(Mixed*, int, int64_t)>(wrapped, "mixed_fill")(records, 3, 100);
  EXPECT_EQ(records[2].i, 102);
  EXPECT_EQ(records[2].s, -2);
  EXPECT_EQ(records[2].d, 0.5);
  EXPECT_EQ((entryOf<double(const Mixed*, int)>(wrapped, "mixed_total_all")(records, 3)),
            (0 + 100 + 0 + 0.0) + (1 + 101 - 1 + 0.25) + (2 + 102 - 2 + 0.5));
}

TEST(Wrapped32, StringsInOutAndReturnedStayTheProgramsToKeep) {
  WrappedLibrary wrapped(fixtureSpec({"str_len", "greet", "upper", "version_string"}));
  EXPECT_EQ(entryOf<size_t(const char*)>(wrapped, "str_len")("h\xc3\xa9llo"), 6u);
  char out[8] = "xxxxxxx";
  EXPECT_EQ((entryOf<int(const char*, char*, int)>(wrapped, "greet")("bridge", out, 8)), 7);
  EXPECT_STREQ(out, "hello, ") << "cut to the program's buffer, with its NUL";
  char text[] = "abc-d";
  EXPECT_EQ(entryOf<int(char*)>(wrapped, "upper")(text), 4);
  EXPECT_STREQ(text, "ABC-D");
  auto version = entryOf<const char*()>(wrapped, "version_string");
  const char* first = version();
  EXPECT_STREQ(first, "b32-library 1.0");
  EXPECT_EQ(version(), first) << "the same text, kept once";
}

TEST(Wrapped32, WideStringsInOutAndReturnedAreTheProgramsCharacters) {
  WrappedLibrary wrapped(fixtureSpec({"wstr_len", "wgreet", "wversion"}));
  // wchar_t as the program has it: UTF-16 on Windows (a pair for U+1F600), UTF-32 elsewhere.
  const wchar_t* name = L"w\U0001F600";
  EXPECT_EQ(entryOf<size_t(const wchar_t*)>(wrapped, "wstr_len")(name), std::wcslen(name));
  wchar_t out[16];
  std::wmemset(out, L'x', 16);
  auto greet = entryOf<int(const wchar_t*, wchar_t*, int)>(wrapped, "wgreet");
  EXPECT_EQ(greet(name, out, 16), int(7 + std::wcslen(name)));
  EXPECT_EQ(std::wstring(out), std::wstring(L"hell\u00f6, ") + name);
  EXPECT_EQ(out[15], L'x') << "written past the program's count";
  EXPECT_EQ(greet(name, out, 5), 4);
  EXPECT_EQ(std::wstring(out), L"hell") << "cut to the program's buffer, with its NUL";
  auto version = entryOf<const wchar_t*()>(wrapped, "wversion");
  const wchar_t* first = version();
  EXPECT_EQ(std::wstring(first), L"b32-library \u00e9 1.0");
  EXPECT_EQ(version(), first) << "the same text, kept once";
}

TEST(Wrapped32, HandlesGoBackAsTheyCame) {
  WrappedLibrary wrapped(fixtureSpec({"ctx_new", "ctx_next", "ctx_free"}));
  void* context = entryOf<void*(int)>(wrapped, "ctx_new")(5);
  ASSERT_NE(context, nullptr);
  auto next = entryOf<int(void*)>(wrapped, "ctx_next");
  EXPECT_EQ(next(context), 5);
  EXPECT_EQ(next(context), 6);
  entryOf<void(void*)>(wrapped, "ctx_free")(context);
}

TEST(Wrapped32, TheLastErrorIsTheLibrarysAndACrashReturnsZeroAndSaysWhy) {
  WrapSpec spec = fixtureSpec({"fail_with", "crash", "add"});
  spec.loadOptions = test::baseOptions();  // a surrogate of its own, to crash
  WrappedLibrary wrapped(spec);
#if _WIN32
  SetLastError(0);
  EXPECT_EQ(entryOf<int(int)>(wrapped, "fail_with")(5), -1);
  EXPECT_EQ(GetLastError(), 5u);
#else
  errno = 0;
  EXPECT_EQ(entryOf<int(int)>(wrapped, "fail_with")(13), -1);
  EXPECT_EQ(errno, 13);
#endif
  uint32_t before = wrapped.library().surrogatePid();
  entryOf<void()>(wrapped, "crash")();
#if _WIN32
  EXPECT_EQ(GetLastError(), 1726u) << "RPC_S_CALL_FAILED";
#else
  EXPECT_EQ(errno, EIO);
#endif
  EXPECT_EQ(entryOf<int(int, int)>(wrapped, "add")(20, 22), 42) << "a new surrogate";
  EXPECT_NE(wrapped.library().surrogatePid(), before);
}

// zlib.h gives no sizes for its buffers: said again with them (the fixture's header).
std::string zlibSizes() {
  std::ifstream file(std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" / "fixtures" /
                     "headers" / "zlib-sizes.h");
  return std::string(std::istreambuf_iterator<char>(file), {});
}

// The 32-bit zlib nobody here built, its header, and the wrapper's name.
#if _WIN32
const std::filesystem::path kZlib = "Z:\\usr\\i686-w64-mingw32\\lib\\zlib1.dll";
const std::filesystem::path kZlibHeader = "Z:\\usr\\i686-w64-mingw32\\include\\zlib.h";
#else
const std::filesystem::path kZlib = "/usr/lib/i386-linux-gnu/libz.so.1";
const std::filesystem::path kZlibHeader = "/usr/include/zlib.h";
#endif

TEST(WrapTool, AProgramWrittenAgainstZlibCallsTheI386ZlibThroughItsWrapper) {
  ModuleFile zlib = inspectModuleFile(kZlib);
  ASSERT_EQ(zlib.architecture, Architecture::x86);
  ASSERT_EQ(zlib.format, nativeModuleFormat());
  std::filesystem::path directory = std::filesystem::path(testing::TempDir()) /
                                    uniqueName("bridge32-wrap-zlib");
  std::filesystem::remove_all(directory);
  test::Ran wrapped = test::runProgram(
      test::toolPath(), {"wrap", utf8(kZlib), "--header", utf8(kZlibHeader), "--declare",
                         zlibSizes(), "--output", utf8(directory)});
  ASSERT_EQ(wrapped.exitCode, 0) << wrapped.out << wrapped.err;
  std::filesystem::path wrapper = directory / kZlib.filename();
  ModuleFile file = inspectModuleFile(wrapper);
  EXPECT_EQ(file.architecture, Architecture::x64);
  EXPECT_EQ(file.format, nativeModuleFormat());
  EXPECT_TRUE(file.isLibrary);
  std::printf("[ figures  ] %s", wrapped.out.c_str());

  // The program as it was linked (against the 64-bit zlib), finding the wrapper first: on
  // Windows beside it, where a program's DLLs are looked for first; on Linux by its library path.
  std::filesystem::path program = test::outputDir() / "bin" / "bridge32_wrap_zlib_program";
#if _WIN32
  program += ".exe";
  std::filesystem::copy_file(program, directory / program.filename());
  program = directory / program.filename();
  // Wine's own user32 needs a zlib1.dll, which Wine has built in and gives the program too: for
  // this program, a zlib1.dll beside it comes first, as on Windows, which has no zlib1.dll
  // (Wine's per-program DLL overrides; WINEDLLOVERRIDES is read from the Unix environment only).
  const std::wstring appDefaults =
      L"Software\\Wine\\AppDefaults\\" + program.filename().wstring();
  if (test::runningUnderWine()) {
    ASSERT_EQ(RegSetKeyValueW(HKEY_CURRENT_USER, (appDefaults + L"\\DllOverrides").c_str(),
                              L"zlib1", REG_SZ, L"native,builtin", sizeof L"native,builtin"),
              ERROR_SUCCESS);
  }
  test::Ran ran = test::runProgram(program, {});
  if (test::runningUnderWine()) RegDeleteTreeW(HKEY_CURRENT_USER, appDefaults.c_str());
#else
  setenv("LD_LIBRARY_PATH", directory.c_str(), 1);
  test::Ran ran = test::runProgram(program, {});
  unsetenv("LD_LIBRARY_PATH");
#endif
  std::printf("%s", ran.out.c_str());
  EXPECT_EQ(ran.exitCode, 0) << ran.out << ran.err;
  EXPECT_NE(ran.out.find("compress from: " + utf8(wrapper)), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find("bridge32 runtime: loaded"), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find("all right"), std::string::npos);
  std::filesystem::remove_all(directory);
}

// The wrapper file the tool writes for the fixture (with --timeout 1500), loaded as a program
// loads a DLL or a shared object.
class FixtureWrapperFile : public ::testing::Test {
 protected:
  void SetUp() override {
    // One of each test's own: on Windows the runtime a test loaded stays, and its file with it.
    directory_ = std::filesystem::path(testing::TempDir()) /
                 uniqueName(std::string("bridge32-wrap-") +
                            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::path library = test::pluginPath(Architecture::x86, "b32-library");
    std::filesystem::path headers = std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" /
                                    "fixtures" / "headers" / "b32-library";
    test::Ran wrapped = test::runProgram(
        test::toolPath(), {"wrap", utf8(library), "--header", utf8(headers / "b32-library.h"),
                           "-I", utf8(headers / "include"), "-DB32_API=", "--timeout", "1500",
                           "--output", utf8(directory_)});
    ASSERT_EQ(wrapped.exitCode, 0) << wrapped.out << wrapped.err;
    wrapper_ = directory_ / library.filename();
    ASSERT_EQ(inspectModuleFile(wrapper_).architecture, Architecture::x64);
#if _WIN32
    EXPECT_TRUE(std::filesystem::exists(directory_ / "b32-library.def"));
    // Its imports looked for beside it first, as for a program's own DLLs.
    module_ = LoadLibraryExW(wrapper_.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
    ASSERT_NE(module_, nullptr) << GetLastError();
#else
    module_ = dlopen(wrapper_.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(module_, nullptr) << dlerror();
#endif
  }
  void TearDown() override {
    // A program that unloads the wrapper goes on: the runtime, whose threads serve the wrapped
    // library, stays (wrap-runtime.c++), and the library's surrogate with it.
    if (module_) {
#if _WIN32
      EXPECT_TRUE(FreeLibrary(module_));
#else
      EXPECT_EQ(dlclose(module_), 0);
#endif
    }
    std::error_code ignored;  // the runtime, kept loaded, cannot be removed on Windows
    std::filesystem::remove_all(directory_, ignored);
  }

  template <typename F>
  F* symbol(const char* name) {
#if _WIN32
    return reinterpret_cast<F*>(reinterpret_cast<void*>(GetProcAddress(module_, name)));
#else
    return reinterpret_cast<F*>(dlsym(module_, name));
#endif
  }

  std::filesystem::path directory_, wrapper_;
#if _WIN32
  HMODULE module_ = nullptr;
#else
  void* module_ = nullptr;
#endif
};

// Every entry goes through the runtime's b32w_enter, whose first call of each function saves and
// restores the program's argument registers around making it (floating-point ones included), and
// a crash or a hang of the 32-bit library fails the call, says why and is survived.
TEST_F(FixtureWrapperFile, ServesAProgramThatLoadsIt) {
  // What the library exports and no header declares is listed with why, once, undecorated on
  // Windows (std_sub@8 and std_sub are one function).
  std::ifstream refusals(directory_ / (utf8(wrapper_.filename()) + ".refused.txt"));
  std::string refused(std::istreambuf_iterator<char>(refusals), {});
  EXPECT_NE(refused.find("fire_async: exported, but no header declares it"), std::string::npos)
      << refused;
  EXPECT_EQ(refused.find("\nadd:"), std::string::npos) << "a declared function is not listed";

  // Floating-point and integer arguments mixed, at each function's first call.
  auto mix = symbol<double(int8_t, double, int64_t, float, uint16_t)>("mix");
  ASSERT_NE(mix, nullptr);
  EXPECT_EQ(mix(1, 2.0, 3, 4.0f, 5), 1 + 4 + 12 + 32 + 80);
  EXPECT_EQ(mix(2, 2.0, 3, 4.0f, 5), 2 + 4 + 12 + 32 + 80) << "the second call, straight through";
  EXPECT_EQ(symbol<double(double, double)>("hypot_d")(3, 4), 5.0);
  auto add = symbol<int(int, int)>("add");
  EXPECT_EQ(add(2, 3), 5);
  EXPECT_EQ(symbol<void()>("no_such_function"), nullptr);

  // A crash in the 32-bit library: the call returns zero, the last error says so, the program
  // goes on and the next call has a new surrogate.
  auto crash = symbol<void()>("crash");
  ASSERT_NE(crash, nullptr);
  crash();
#if _WIN32
  EXPECT_EQ(GetLastError(), 1726u) << "RPC_S_CALL_FAILED";
#else
  EXPECT_EQ(errno, EIO);
#endif
  EXPECT_EQ(add(20, 22), 42);
  // A hang: the call returns at the wrap's deadline, says it timed out, and the next call has a
  // new surrogate.
  auto hang = symbol<void()>("hang");
  ASSERT_NE(hang, nullptr);
  auto before = std::chrono::steady_clock::now();
  hang();
#if _WIN32
  EXPECT_EQ(GetLastError(), 1460u) << "ERROR_TIMEOUT";
#else
  EXPECT_EQ(errno, ETIMEDOUT);
#endif
  auto waited = std::chrono::steady_clock::now() - before;
  EXPECT_GE(waited, std::chrono::milliseconds(1500));
  EXPECT_LT(waited, std::chrono::seconds(20));
  EXPECT_EQ(add(1, 1), 2);
}

// What the program hears from its own functions, given to the library as callbacks.
std::atomic<int> heard{0};
std::atomic<int> heardCalls{0};

// The program's own functions, given as function pointers, are called back in the program's
// process, with the program's arguments: during the call, from a thread of the library's, and
// kept by the library and called later from another.
TEST_F(FixtureWrapperFile, CallsTheProgramsFunctionsBack) {
  auto triple = [](int x) { return 3 * x; };
  EXPECT_EQ((symbol<int(int (*)(int), int)>("apply")(triple, 14)), 42);
  EXPECT_EQ((symbol<int(int (*)(int), int)>("apply_on_thread")(triple, 5)), 15);
  auto plus = [](void* context, int i) { return *static_cast<int*>(context) + i; };
  int base = 100;
  EXPECT_EQ((symbol<int(int (*)(void*, int), void*, int)>("sum_with")(plus, &base, 3)),
            100 + 101 + 102)
      << "the program's context pointer comes back to it as it gave it";

  heard = 0;
  heardCalls = 0;
  symbol<void(void (*)(int))>("set_listener")([](int i) {
    heard += i;
    ++heardCalls;
  });
  symbol<void(int)>("fire_from_thread")(4);
  EXPECT_EQ(heardCalls.load(), 4);
  EXPECT_EQ(heard.load(), 0 + 1 + 2 + 3);
  symbol<void(int)>("fire")(2);
  EXPECT_EQ(heardCalls.load(), 6) << "kept between calls";
  symbol<void(void (*)(int))>("set_listener")(nullptr);
  symbol<void(int)>("fire")(2);
  EXPECT_EQ(heardCalls.load(), 6) << "NULL forgets it";
}

// Wrapping again into the same directory replaces what the first wrap wrote (the runtime too:
// MinGW's copy_file would not overwrite it).
TEST(WrapTool, WrappingAgainReplacesTheFiles) {
  std::filesystem::path directory = std::filesystem::path(testing::TempDir()) /
                                    uniqueName("bridge32-wrap-again");
  std::filesystem::remove_all(directory);
  std::filesystem::path headers = std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" /
                                  "fixtures" / "headers" / "b32-library";
  for (int time = 0; time < 2; ++time) {
    test::Ran ran = test::runProgram(
        test::toolPath(), {"wrap", utf8(test::pluginPath(Architecture::x86, "b32-library")),
                           "--header", utf8(headers / "b32-library.h"), "-I",
                           utf8(headers / "include"), "-DB32_API=", "--output", utf8(directory)});
    EXPECT_EQ(ran.exitCode, 0) << "wrap number " << time + 1 << ": " << ran.out << ran.err;
  }
  std::filesystem::remove_all(directory);
}

// An --output the tool cannot make is an error naming it, not an abort.
TEST(WrapTool, AnOutputDirectoryThatCannotBeMadeIsNamed) {
  std::filesystem::path file = std::filesystem::path(testing::TempDir()) /
                               uniqueName("bridge32-wrap-not-a-directory");
  { std::ofstream(file) << "a file"; }
  std::filesystem::path headers = std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" /
                                  "fixtures" / "headers" / "b32-library";
  test::Ran ran = test::runProgram(
      test::toolPath(), {"wrap", utf8(test::pluginPath(Architecture::x86, "b32-library")),
                         "--header", utf8(headers / "b32-library.h"), "-I",
                         utf8(headers / "include"), "-DB32_API=", "--output",
                         utf8(file / "wrapped")});
  std::filesystem::remove(file);
  EXPECT_EQ(ran.exitCode, 1) << ran.err;
  EXPECT_NE(ran.err.find("bridge32: "), std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find(utf8(file / "wrapped")), std::string::npos) << ran.err;
}

TEST(Wrapped32, WhatTheHeaderDoesNotDeclareIsRefusedWhenAsked) {
  WrappedLibrary wrapped(fixtureSpec({"add", "no_such_function"}));
  EXPECT_THROW(wrapped.entry("no_such_function"), Error);
  EXPECT_THROW(wrapped.entry("not_in_the_spec"), Error);
  EXPECT_NE(wrapped.entry("add"), nullptr);
}

}  // namespace
}  // namespace bridge32
