// The bridge32 command-line tool, run as a user runs it: what it says about bad arguments and
// files it cannot write, that nothing a plugin says can drive the user's terminal, and that what
// it writes for scripts (CSV, WAV, JSON) is exact and alike on every platform.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "bridge32/host.h"
#include "harness.h"
#include "json-reader.h"
#include "wav-file.h"

namespace bridge32 {
namespace {


std::string module(const char* name, Architecture architecture = Architecture::x64) {
  return utf8(test::pluginPath(architecture, name));
}

bool says(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

// What the tool printed, with Windows' CRLF line ends (its stdout is in text mode) as LF.
std::string printed(const test::Ran& ran) {
  std::string text = ran.out;
  std::erase(text, '\r');
  return text;
}

TEST(Tool, AnUnknownOptionIsCalledUnknown) {
  auto ran = test::runProgram(test::toolPath(), {"info", module("b32-samples"), "--bogus"});
  EXPECT_EQ(ran.exitCode, 2);
  EXPECT_TRUE(says(ran.err, "unknown option '--bogus'")) << ran.err;
  EXPECT_FALSE(says(ran.err, "needs a value")) << ran.err;
}

TEST(Tool, AStrayArgumentIsCalledUnexpected) {
  auto ran = test::runProgram(test::toolPath(), {"info", module("b32-samples"), "extra"});
  EXPECT_EQ(ran.exitCode, 2);
  EXPECT_TRUE(says(ran.err, "unexpected argument 'extra'")) << ran.err;
}

TEST(Tool, AnOutputThatIsADirectoryIsRefusedBeforeAnythingRuns) {
  auto directory = std::filesystem::temp_directory_path();
  auto ran = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--output", utf8(directory)});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "cannot write '" + utf8(directory) + "'")) << ran.err;
  EXPECT_FALSE(says(ran.err, "not found")) << ran.err;
  EXPECT_FALSE(says(ran.out, "processed")) << "it ran anyway: " << ran.out;
}

#if !_WIN32
TEST(Tool, AnOutputFileThatCannotBeWrittenFailsTheRun) {
  auto ran = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--output", "/dev/full"});
  EXPECT_EQ(ran.exitCode, 1) << "the CSV was lost: " << ran.out;
  EXPECT_TRUE(says(ran.err, "cannot write '/dev/full': No space left on device")) << ran.err;
}

TEST(Tool, AStandardOutputThatCannotBeWrittenFailsTheCommand) {
  auto ran = test::runProgram(test::toolPath(), {"info", module("b32-samples")}, "/dev/full");
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "cannot write the output: No space left on device")) << ran.err;
}

TEST(Tool, ASymbolicLinkLoopIsNotCalledMissing) {
  auto directory = std::filesystem::temp_directory_path();
  auto a = directory / "bridge32-loop-a.so", b = directory / "bridge32-loop-b.so";
  std::filesystem::remove(a);
  std::filesystem::remove(b);
  std::filesystem::create_symlink(b, a);
  std::filesystem::create_symlink(a, b);
  auto ran = test::runProgram(test::toolPath(), {"info", utf8(a)});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "Too many levels of symbolic links")) << ran.err;
  EXPECT_FALSE(says(ran.err, "does not exist")) << ran.err;
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}
#endif

TEST(Tool, ASurrogateThatIsNotAnExecutableForThePlatformIsCalledThat) {
  // Where the x86 surrogate should be: a text file, then the x64 surrogate.
  auto directory = std::filesystem::temp_directory_path() / "bridge32-bad-surrogate";
  std::filesystem::create_directories(directory);
  auto surrogate = directory / test::surrogatePath(Architecture::x86).filename();
  LoadOptions options = test::baseOptions();
  options.surrogateDirectory = directory;
  auto load = [&] { PluginModule::load(test::pluginPath(Architecture::x86, "b32-samples"), options); };

  std::ofstream(surrogate) << "#!/bin/sh\necho this is not a bridge32 surrogate\n";
  Error text = test::expectError(load);
  EXPECT_EQ(text.kind(), Error::Kind::surrogateStart) << text.what();
  EXPECT_TRUE(says(text.message(), "is not a bridge32 x86 surrogate: expected a PE")) << text.what();
  EXPECT_FALSE(says(text.message(), "plugin module")) << text.what();

  std::filesystem::copy_file(test::surrogatePath(Architecture::x64), surrogate,
                             std::filesystem::copy_options::overwrite_existing);
  Error other = test::expectError(load);
  EXPECT_EQ(other.kind(), Error::Kind::surrogateStart) << other.what();
  EXPECT_TRUE(says(other.message(), "is not a bridge32 x86 surrogate: it is a")) << other.what();
  std::filesystem::remove_all(directory);
}

// No byte that starts a terminal control (C0 but the line breaks the tool writes itself, DEL,
// the C1 controls) in what the tool printed.
void expectNothingRaw(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    bool control = (c < 0x20 && c != '\n' && c != '\r') || c == 0x7F || c1;
    EXPECT_FALSE(control) << "a raw control byte 0x" << std::hex << int(c) << " at " << std::dec << i
                          << " in: " << text;
  }
}

TEST(Tool, APluginsTextCannotDriveTheTerminal) {
  for (Architecture architecture : {Architecture::x64, Architecture::x86}) {
#if _WIN32
    if (architecture == Architecture::x86) continue;  // a 32-bit start per run: the API test has it
#endif
    SCOPED_TRACE(std::string(toString(architecture)));
    std::string hostile = module("b32-hostile-text", architecture);
    auto info = test::runProgram(test::toolPath(), {"info", hostile});
    EXPECT_EQ(info.exitCode, 0) << info.err;
    expectNothingRaw(info.out);
    expectNothingRaw(info.err);
    EXPECT_TRUE(says(info.out, "Evil\\x1b[2J\\x07\\x0a")) << info.out;
    EXPECT_TRUE(says(info.out, "\\x9b31m")) << "the C1 control, escaped: " << info.out;
    auto json = test::runProgram(test::toolPath(), {"info", hostile, "--json"});
    EXPECT_EQ(json.exitCode, 0) << json.err;
    expectNothingRaw(json.out);
    EXPECT_TRUE(says(json.out, "Evil\\u001b[2J\\u0007\\n")) << json.out;
    EXPECT_TRUE(says(json.out, "\\u009b31m")) << json.out;

    auto run = test::runProgram(test::toolPath(), {"run", hostile, "--blocks", "1"});
    EXPECT_EQ(run.exitCode, 0) << run.err;
    expectNothingRaw(run.out);
    expectNothingRaw(run.err);
    EXPECT_TRUE(says(run.err, "activated\\x1b[2J")) << "the plugin's log line: " << run.err;
  }
}

// What the library hands the application is valid UTF-8 whoever wrote it, in-process and from a
// surrogate alike (the tool then escapes the control characters).
TEST(Tool, PluginTextReachesTheApplicationAsValidUtf8) {
  for (const test::Placement& where : {test::kInProcess64, test::kSurrogate64}) {
    SCOPED_TRACE(where.name);
    auto loaded = PluginModule::load(test::pluginPath(where.architecture, "b32-hostile-text"),
                                     test::optionsFor(where));
    const PluginDescriptor& plugin = loaded->plugins().at(0);
    EXPECT_EQ(plugin.name, "Evil\x1b[2J\a\n\xEF\xBF\xBD\xC2\x9B" "31mname");
    test::RecordingCallbacks callbacks;
    auto instance = loaded->createInstance(plugin.id, callbacks);
    EXPECT_EQ(instance->params().at(0).name, "gain\x1b[2J\a\n\xEF\xBF\xBD\xC2\x9B" "31m");
    instance->activate(48000, 64);
    auto logs = callbacks.logs();
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0], "activated\x1b[2J\a\n\xEF\xBF\xBD\xC2\x9B" "31m!");
  }
}

// `bridge32 call` and `bridge32 exports` as issue 10 gives them, on the fixture library. (The
// 32-bit fixture and zlib run on Linux only: under Wine each run would start a 32-bit surrogate.)
TEST(Tool, CallPrintsOutParametersAsInitializers) {
  auto ran = test::runProgram(
      test::toolPath(), {"call", module("b32-library"),
               "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y)",
               "2", "{1,2,3}", "3"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(printed(ran), "y = {2, 4, 6}\n");
}

TEST(Tool, CallPrintsTheResultAloneOnTheFirstLineThenTheOutputs) {
  auto ran = test::runProgram(
      test::toolPath(), {"call", module("b32-library"),
               "int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size)",
               "\"tool\"", "32"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(printed(ran), "11\nout = \"hello, tool\"\n");
  ran = test::runProgram(test::toolPath(), {"call", module("b32-library"),
                                  "struct Point { int32_t x, y; }; "
                                  "struct Point make_point(int32_t x, int32_t y);",
                                  "1", "-2"});
  EXPECT_EQ(printed(ran), "{.x = 1, .y = -2}\n");
  ran = test::runProgram(test::toolPath(), {"call", module("b32-library"), "double hypot_d(double x, double y)",
                                  "0.3", "0.4"});
  EXPECT_EQ(printed(ran), "0.5\n");
}

TEST(Tool, CallJsonGivesTheResultOutputsAndLastError) {
  auto ran = test::runProgram(
      test::toolPath(), {"call", module("b32-library"),
                         "int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size)",
                         "\"json\"", "32", "--json"});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  test::JsonValue json = test::parseJson(ran.out);
  EXPECT_EQ(json["result"].number, 11);
  EXPECT_EQ(json["outputs"]["out"].string, "hello, json");
  EXPECT_EQ(json["lastError"].type, test::JsonValue::Type::number);
  ran = test::runProgram(test::toolPath(), {"call", module("b32-library"),
                                            "struct Point { int32_t x, y; }; "
                                            "struct Point make_point(int32_t x, int32_t y);",
                                            "1", "-2", "--json"});
  json = test::parseJson(ran.out);
  EXPECT_EQ(json["result"]["x"].number, 1);
  EXPECT_EQ(json["result"]["y"].number, -2);
}

// `help COMMAND` is that command's help; a usage error is the problem and that command's synopsis,
// not every command's.
TEST(Tool, HelpIsPerCommandAndUsageErrorsAreShort) {
  for (std::string command : {"call", "header", "doctor", "exports", "info", "wrap", "com"}) {
    SCOPED_TRACE(command);
    auto ran = test::runProgram(test::toolPath(), {"help", command});
    EXPECT_EQ(ran.exitCode, 0) << ran.err;
    EXPECT_TRUE(says(ran.out, "usage: bridge32 " + command)) << ran.out;
    EXPECT_EQ(ran.out.find("bridge32 run"), std::string::npos) << ran.out;
    auto helped = test::runProgram(test::toolPath(), {command, "--help"});
    EXPECT_EQ(helped.out, ran.out);
  }
  auto ran = test::runProgram(test::toolPath(), {"call"});
  EXPECT_EQ(ran.exitCode, 2);
  EXPECT_TRUE(says(ran.err, "no library given")) << ran.err;
  EXPECT_TRUE(says(ran.err, "usage: bridge32 call LIB")) << ran.err;
  EXPECT_LE(std::count(ran.err.begin(), ran.err.end(), '\n'), 5) << ran.err;  // call's synopsis
  ran = test::runProgram(test::toolPath(), {"help", "nope"});
  EXPECT_EQ(ran.exitCode, 2);
  EXPECT_TRUE(says(ran.err, "there is no command 'nope'")) << ran.err;
}

TEST(Tool, CallNamesAMissingLibraryALibrary) {
  auto ran = test::runProgram(test::toolPath(), {"call", "no-such-library.so", "int f(void);"});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "library 'no-such-library.so' does not exist")) << ran.err;
  EXPECT_FALSE(says(ran.err, "plugin")) << ran.err;
}

TEST(Tool, CallWithBadArgumentsSaysWhichAndWhy) {
  auto ran = test::runProgram(test::toolPath(), {"call", module("b32-library"), "uint8_t inc_u8(uint8_t x)", "300"});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "'x'") && says(ran.err, "300")) << ran.err;
  ran = test::runProgram(test::toolPath(), {"call", module("b32-library"), "int add(int a, int b)", "1", "{2"});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "argument 2 ('{2')")) << ran.err;
  ran = test::runProgram(test::toolPath(), {"call", module("b32-library"), "int add(int a int b)", "1", "2"});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "line 1, column")) << ran.err;
  ran = test::runProgram(test::toolPath(), {"call", module("b32-library"), "int ad(int a, int b)", "1", "2"});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "no export 'ad'") && says(ran.err, "add")) << ran.err;
}

TEST(Tool, ExportsListsTheFixturesFunctions) {
  auto ran = test::runProgram(test::toolPath(), {"exports", module("b32-library")});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  for (const char* name : {"add", "scale", "greet", "crash"}) {
    EXPECT_TRUE(says(printed(ran), std::string(name) + "\n") || says(printed(ran), std::string(name) + " "))
        << name << " missing from:\n" << printed(ran);
  }
#if _WIN32
  EXPECT_TRUE(says(printed(ran), "(by ordinal only)")) << ran.out;
  EXPECT_TRUE(says(printed(ran), "fwd_tick -> kernel32.GetTickCount")) << ran.out;
#endif
}

#if !_WIN32
// A genuine 32-bit VST2 plugin (the fixture) from the command line: what it is, and audio with a
// MIDI note, which the fixture answers with a click of 1.0 on channel 0 at the note's frame.
// (x64 modules: a 32-bit Windows process costs a minute under Wine on an emulated CPU.)
// The VST2 fixture takes and gives 2 channels: fed 3, run says channel 3 is neither heard nor
// filled, and leaves it out of the peaks instead of reporting a ratio over silence.
TEST(Tool, RunSaysWhichChannelsThePluginDoesNotTake) {
  std::string fixture = module("b32-vst2-fixture");
  auto run = test::runProgram(test::toolPath(), {"run", fixture, "--channels", "3", "--blocks", "1"});
  EXPECT_EQ(run.exitCode, 0) << run.err;
  EXPECT_TRUE(says(run.out, "warning: the plugin takes 2 input channels: input channel 3 is not heard"))
      << run.out;
  EXPECT_TRUE(says(run.out, "warning: the plugin gives 2 output channels: output channel 3 is silent"))
      << run.out;
  EXPECT_TRUE(says(run.out, "(of the 2 input and 2 output channels the plugin has)")) << run.out;
  run = test::runProgram(test::toolPath(), {"run", fixture, "--channels", "2", "--blocks", "1"});
  EXPECT_FALSE(says(run.out, "warning")) << run.out;
}

// --set NAME=VALUE UNIT: the value the plugin shows as that, found by asking the plugin; a unit
// the parameter does not have is refused naming the one it has.
TEST(Tool, RunSetsAParameterInTheUnitThePluginShows) {
  std::string fixture = module("b32-vst2-fixture");
  auto run = test::runProgram(test::toolPath(), {"run", fixture, "--set", "Gain=0.7 dB", "--blocks", "1"});
  EXPECT_EQ(run.exitCode, 0) << run.err;
  EXPECT_TRUE(says(run.out, "shows \"0.700\"")) << run.out;
  run = test::runProgram(test::toolPath(), {"run", fixture, "--set", "Gain=0.7", "--blocks", "1"});
  EXPECT_TRUE(says(run.out, "set Gain = 0.7 (reads back 0.7")) << run.out;
  run = test::runProgram(test::toolPath(), {"run", fixture, "--set", "Pan=3 dB", "--blocks", "1"});
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_TRUE(says(run.err, "parameter 'Pan' is in no unit, given '3 dB'")) << run.err;
}

TEST(Tool, InfoAndRunTakeA32BitVst2PluginAndRunSendsItNotes) {
  std::string fixture = module("b32-vst2-fixture", Architecture::x86);
  auto info = test::runProgram(test::toolPath(), {"info", fixture});
  EXPECT_EQ(info.exitCode, 0) << info.err;
  EXPECT_TRUE(says(info.out, "format:       VST2")) << info.out;
  EXPECT_TRUE(says(info.out, "b32F  \"bridge32 VST2 fixture\"")) << info.out;
  EXPECT_TRUE(says(info.out, "audio:      2 in, 2 out")) << info.out;
  EXPECT_TRUE(says(info.out, "param 1 Pan          [0 .. 1] default 0.5, shows \"R 0\"")) << info.out;
  EXPECT_TRUE(says(info.out, "programs:   \"Unity\", \"Quiet\", \"Loud\" (current 0)")) << info.out;
  EXPECT_TRUE(says(info.out, "latency:    32 frames")) << info.out;

  auto run = test::runProgram(test::toolPath(), {"run", fixture, "--note", "60", "--blocks", "2"});
  EXPECT_EQ(run.exitCode, 0) << run.err;
  EXPECT_TRUE(says(run.out, "bridged through the x86 surrogate")) << run.out;
  EXPECT_TRUE(says(run.out, "notes: 60 held from the first frame to the last")) << run.out;
  // The test signal's channel 0 starts at sin(0) = 0: the first sample is the click alone.
  EXPECT_TRUE(says(run.out, "output of block 1, channel 0, frames 0 to 5: 1.000000 ")) << run.out;
  auto quiet = test::runProgram(test::toolPath(), {"run", fixture, "--blocks", "1"});
  EXPECT_TRUE(says(quiet.out, "frames 0 to 5: 0.000000 ")) << quiet.out;
}

TEST(Tool, CallRunsTheI386FixtureAndZlibThroughTheSurrogate) {
  auto ran = test::runProgram(
      test::toolPath(), {"call", module("b32-library", Architecture::x86),
               "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y)",
               "2", "{1,2,3}", "3"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(printed(ran), "y = {2, 4, 6}\n");
  ran = test::runProgram(test::toolPath(), {"call", "/usr/lib/i386-linux-gnu/libz.so.1",
                                  "unsigned long crc32(unsigned long crc, "
                                  "_In_reads_bytes_(len) const unsigned char* buf, unsigned int len)",
                                  "0", "{104, 101, 108, 108, 111}", "5"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(printed(ran), "907060870\n");  // 0x3610a686, the CRC-32 of "hello"
  ran = test::runProgram(test::toolPath(), {"call", "/usr/lib/i386-linux-gnu/libz.so.1",
                                  "_Ret_z_ const char* zlibVersion(void)"});
  EXPECT_EQ(ran.out.rfind("\"1.", 0), 0u) << ran.out;  // "1.2.13"\n on Debian 12
  ran = test::runProgram(test::toolPath(), {"exports", "/usr/lib/i386-linux-gnu/libz.so.1"});
  EXPECT_TRUE(says(ran.out, "compress\n") && says(ran.out, "zlibVersion\n")) << ran.out;
}

TEST(Tool, CallTakesAFunctionByNameFromTheLibrarysOwnHeader) {
  const std::string zlib = "/usr/lib/i386-linux-gnu/libz.so.1";
  auto ran = test::runProgram(test::toolPath(),
                              {"call", zlib, "--header", "/usr/include/zlib.h", "zlibVersion"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(ran.out.rfind("\"1.", 0), 0u) << ran.out;
  // The header gives adler32's buffer no size: --declare gives it, in the header's own types;
  // -D and -I as a compiler takes them, joined or not.
  ran = test::runProgram(
      test::toolPath(),
      {"call", zlib, "--header", "/usr/include/zlib.h", "-DZ_SOLO", "-I", "/usr/include",
       "--declare", "uLong adler32(uLong adler, _In_reads_bytes_(len) const Bytef* buf, uInt len);",
       "adler32", "1", "{97, 98, 99}", "3"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(printed(ran), "38600999\n");  // 0x024d0127, the Adler-32 of "abc"
  // A name the header does not declare, and a header that is not there.
  ran = test::runProgram(test::toolPath(),
                         {"call", zlib, "--header", "/usr/include/zlib.h", "compresss"});
  EXPECT_NE(ran.exitCode, 0);
  EXPECT_TRUE(says(ran.err, "no function 'compresss' is declared; the closest: compress"))
      << ran.err;
  ran = test::runProgram(test::toolPath(), {"call", zlib, "--header", "/nowhere/zlib.h", "crc32"});
  EXPECT_NE(ran.exitCode, 0);
  EXPECT_TRUE(says(ran.err, "header '/nowhere/zlib.h' does not exist")) << ran.err;
}

TEST(Tool, HeaderSaysWhatOfAHeaderCanBeCalledAsDeclared) {
  const std::string zlib = "/usr/lib/i386-linux-gnu/libz.so.1";
  auto ran = test::runProgram(test::toolPath(), {"header", zlib, "--header", "/usr/include/zlib.h"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  std::string out = printed(ran);
  EXPECT_EQ(out.rfind("zlibVersion: callable\n", 0), 0u) << out;
  EXPECT_TRUE(says(out, "\ncompress: needs sizes: pointer 'dest', 'destLen', 'source' have no "
                        "size (taken as one value): annotate it with --declare\n"))
      << out;
  EXPECT_TRUE(says(out, "\ndeflate: callable\n")) << out;  // z_stream*: one struct
  EXPECT_TRUE(says(out, "functions declared, ")) << out;

  // Annotated with --declare, compress is callable; the totals say so, also as JSON.
  const std::string annotated =
      "int compress(_Out_writes_bytes_(*destLen) Bytef* dest, _Inout_ uLongf* destLen,"
      "             _In_reads_bytes_(sourceLen) const Bytef* source, uLong sourceLen);";
  ran = test::runProgram(test::toolPath(), {"header", zlib, "--header", "/usr/include/zlib.h",
                                            "--declare", annotated, "--json"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  test::JsonValue json = test::parseJson(ran.out);
  EXPECT_EQ(json["abi"].string, "sysvI386");
  bool found = false;
  for (const auto& function : json["functions"].items) {
    if (function["name"].string != "compress") continue;
    found = true;
    EXPECT_EQ(function["status"].string, "callable");
    EXPECT_TRUE(function["exported"].boolean);
  }
  EXPECT_TRUE(found) << ran.out;
  const auto& totals = json["totals"];
  EXPECT_EQ(totals["declared"].number, totals["exported"].number);
  EXPECT_GT(totals["callable"].number, 30);

  // A header with an active #error fails, naming it.
  auto bad = std::filesystem::temp_directory_path() / "bridge32-error-header.h";
  std::ofstream(bad) << "#ifdef __i386__\n#error no 32-bit build\n#endif\n";
  ran = test::runProgram(test::toolPath(), {"header", zlib, "--header", utf8(bad)});
  std::filesystem::remove(bad);
  EXPECT_NE(ran.exitCode, 0);
  EXPECT_TRUE(says(ran.err, "bridge32-error-header.h:2: #error no 32-bit build")) << ran.err;
}
#endif

// The tool's test signal, as `bridge32 help run` describes it.
float testSignal(uint64_t frame, uint32_t channel, double rate) {
  double t = double(frame) / rate;
  return float(0.5 * std::sin(2 * std::numbers::pi * 441.0 * t + channel * 0.5));
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Tool, HelpDescribesRunsTestSignal) {
  for (std::vector<std::string> args : {std::vector<std::string>{"run", "--help"},
                                        std::vector<std::string>{"help", "run"}}) {
    auto ran = test::runProgram(test::toolPath(), args);
    EXPECT_EQ(ran.exitCode, 0) << ran.err;
    EXPECT_TRUE(says(ran.out, "a sine of 441 Hz at amplitude 0.5")) << ran.out;
    EXPECT_TRUE(says(ran.out, "0.5 sin(2 pi 441 n / rate + 0.5 c)")) << ran.out;
    EXPECT_TRUE(says(ran.out, "--input FILE.wav")) << ran.out;
  }
  auto ran = test::runProgram(test::toolPath(), {"help"});
  EXPECT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_TRUE(says(ran.out, "bridge32 info PLUGIN [--isolate] [--sandbox] [--json]")) << ran.out;
  EXPECT_TRUE(ran.err.empty()) << ran.err;
}

// What run prints is the first block's output, not the last's.
TEST(Tool, RunShowsTheStartOfTheFirstBlock) {
  auto ran = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--set", "gain=2", "--channels",
                                       "1", "--frames", "64", "--blocks", "3"});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  std::string expected = "output of block 1, channel 0, frames 0 to 5:";
  for (uint32_t f = 0; f < 6; ++f) {
    char sample[32];
    std::snprintf(sample, sizeof sample, " %.6f", 2 * testSignal(f, 0, 48000));
    expected += sample;
  }
  EXPECT_TRUE(says(ran.out, expected + "\n")) << "expected: " << expected << "\nin:\n" << ran.out;
  EXPECT_TRUE(says(ran.out, "input: the test signal, a 441 Hz sine at amplitude 0.5")) << ran.out;
}

// Every sample in the CSV reads back to the very float the plugin saw and made (the gain sample
// at 2 doubles it exactly), and every line ends in LF alone, Windows too.
TEST(Tool, RunsCsvReadsBackExactlyWithLfLineEnds) {
  auto csv = std::filesystem::temp_directory_path() / "bridge32-run.csv";
  auto ran = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--set", "gain=2", "--channels",
                                       "2", "--frames", "100", "--blocks", "3", "--output",
                                       utf8(csv)});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  std::string text = fileText(csv);
  EXPECT_EQ(text.find('\r'), std::string::npos) << "a CR in the CSV";
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "frame,channel,input,output");
  size_t rows = 0, mismatches = 0;
  while (std::getline(lines, line)) {
    unsigned long long frame;
    unsigned channel;
    char input[40], output[40];
    ASSERT_EQ(std::sscanf(line.c_str(), "%llu,%u,%39[^,],%39s", &frame, &channel, input, output), 4)
        << line;
    float in = std::strtof(input, nullptr), out = std::strtof(output, nullptr);
    bool exact = sameBits(in, testSignal(frame, channel, 48000)) && sameBits(out, 2 * in);
    if (!exact && mismatches++ < 5) ADD_FAILURE() << "not the exact samples: " << line;
    ++rows;
  }
  EXPECT_EQ(rows, 2u * 100 * 3);
  EXPECT_EQ(mismatches, 0u);
  std::filesystem::remove(csv);
}

TEST(Tool, WhatTheToolPrintsEndsLinesInLfOnEveryPlatform) {
  auto ran = test::runProgram(test::toolPath(), {"run", module("b32-hostile-text"), "--blocks", "1"});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_FALSE(ran.out.empty());
  EXPECT_EQ(ran.out.find('\r'), std::string::npos) << ran.out;
  EXPECT_EQ(ran.err.find('\r'), std::string::npos) << ran.err;
}

std::filesystem::path soxWav(const std::string& name) {
  return test::outputDir() / "test-data" / "wav" / name;
}

// sox's conversion of `name`.wav to 64-bit float, rounded to float as the tool must read it.
std::vector<float> soxSamples(const std::string& name) {
  std::string bytes = fileText(soxWav(name + ".f64"));
  std::vector<float> samples(bytes.size() / 8);
  for (size_t i = 0; i < samples.size(); ++i) {
    double value;
    std::memcpy(&value, &bytes[i * 8], 8);
    samples[i] = float(value);
  }
  return samples;
}

// The gain sample at 2 over sox-made files of every encoding run reads: the float WAV it writes
// holds exactly twice what sox reads in the input, in-process and bridged. On Linux sox reads the
// tool's WAV back too.
TEST(Tool, RunsWavFilesThroughAPluginExactly) {
  struct Case {
    const char* name;
    Architecture architecture;
    const char* channels;
  };
  std::vector<Case> cases = {{"pcm16", Architecture::x64, "1"},  {"pcm24", Architecture::x64, "2"},
                             {"pcm32", Architecture::x64, "2"},  {"float32", Architecture::x64, "2"},
                             {"float64", Architecture::x64, "3"}};
#if !_WIN32
  cases.push_back({"pcm24", Architecture::x86, "2"});  // a 32-bit start per run under Wine
#endif
  auto output = std::filesystem::temp_directory_path() / "bridge32-run-out.wav";
  for (const Case& run : cases) {
    SCOPED_TRACE(std::string(run.name) + " " + std::string(toString(run.architecture)));
    auto input = soxWav(std::string(run.name) + ".wav");
    ASSERT_TRUE(std::filesystem::exists(input)) << input << ": the build makes it with sox";
    auto ran = test::runProgram(test::toolPath(), {"run", module("b32-samples", run.architecture), "--set",
                                         "gain=2", "--input", utf8(input), "--output", utf8(output)});
    ASSERT_EQ(ran.exitCode, 0) << ran.err;
    EXPECT_TRUE(says(ran.out, " x " + std::string(run.channels) + " channels of ")) << ran.out;
    std::string bytes = fileText(output);
    tool::WavAudio written = tool::parseWav(
        std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "output");
    tool::WavAudio read = tool::readWav(utf8(input));
    EXPECT_EQ(written.encoding, "32-bit float");
    EXPECT_EQ(written.channels, read.channels);
    EXPECT_EQ(written.sampleRate, read.sampleRate);
    std::vector<float> reference = soxSamples(run.name);
    ASSERT_EQ(written.samples.size(), reference.size());
    size_t mismatches = 0;
    for (size_t i = 0; i < reference.size(); ++i) {
      if (!sameBits(written.samples[i], 2 * reference[i]) && mismatches++ < 5) {
        ADD_FAILURE() << "sample " << i << ": " << written.samples[i] << ", expected "
                      << 2 * reference[i];
      }
    }
    EXPECT_EQ(mismatches, 0u);
#if !_WIN32
    auto raw = std::filesystem::temp_directory_path() / "bridge32-run-out.f64";
    auto sox = test::runProgram("/usr/bin/sox", {"-D", utf8(output), "-t", "raw", "-e",
                                                 "floating-point", "-b", "64", utf8(raw)});
    ASSERT_EQ(sox.exitCode, 0) << "sox cannot read the tool's WAV: " << sox.err;
    std::string soxRead = fileText(raw);
    ASSERT_EQ(soxRead.size(), 8 * reference.size());
    for (size_t i = 0; i < reference.size(); ++i) {
      double value;
      std::memcpy(&value, &soxRead[i * 8], 8);
      // sox holds samples as 32-bit integers: exact within its range, clipped at full scale.
      double expected = std::clamp(2.0 * reference[i], -1.0, 1.0);
      if (std::fabs(value - expected) > 1.0 / 2147483648.0 && mismatches++ < 5) {
        ADD_FAILURE() << "sox reads sample " << i << " as " << value << ", expected " << expected;
      }
    }
    std::filesystem::remove(raw);
#endif
  }
  std::filesystem::remove(output);
}

TEST(Tool, RunRefusesADamagedWavBeforeAnythingRuns) {
  auto damaged = std::filesystem::temp_directory_path() / "bridge32-damaged.wav";
  std::string bytes = fileText(soxWav("pcm16.wav"));
  ASSERT_GT(bytes.size(), 1000u);
  bytes.resize(bytes.size() - 100);
  std::ofstream(damaged, std::ios::binary) << bytes;
  auto ran = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--input", utf8(damaged)});
  EXPECT_EQ(ran.exitCode, 1);
  EXPECT_TRUE(says(ran.err, "'" + utf8(damaged) + "' is not a WAV file bridge32 can read: its RIFF "
                            "header says ")) << ran.err;
  EXPECT_FALSE(says(ran.out, "processed")) << ran.out;
  ran = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--input", utf8(soxWav("pcm16.wav")),
                                  "--rate", "44100"});
  EXPECT_EQ(ran.exitCode, 2);
  EXPECT_TRUE(says(ran.err, "--rate is the input file's")) << ran.err;
  std::filesystem::remove(damaged);
}

// A plugin's log lines go to stderr, never among the results on stdout, and carry a timestamp
// only when asked: in-process and from a surrogate alike.
TEST(Tool, PluginLogLinesGoToStderrWithoutTimestampsUnlessVerbose) {
  for (bool isolate : {false, true}) {
    SCOPED_TRACE(isolate ? "surrogate" : "in-process");
    std::vector<std::string> args = {"run", module("b32-hostile-text"), "--blocks", "1"};
    if (isolate) args.push_back("--isolate");
    auto quiet = test::runProgram(test::toolPath(), args);
    ASSERT_EQ(quiet.exitCode, 0) << quiet.err;
    EXPECT_FALSE(says(quiet.out, "activated")) << quiet.out;
    EXPECT_TRUE(says(quiet.err, "[plugin] [warning] activated\\x1b[2J")) << quiet.err;
    for (const char* year : {"[19", "[20"}) EXPECT_FALSE(says(quiet.err, year)) << quiet.err;

    args.push_back("--verbose");
    auto verbose = test::runProgram(test::toolPath(), args);
    ASSERT_EQ(verbose.exitCode, 0) << verbose.err;
    EXPECT_FALSE(says(verbose.out, "activated")) << verbose.out;
    size_t line = verbose.err.find("[plugin] [warning] activated");
    ASSERT_NE(line, std::string::npos) << verbose.err;
    // "[2026-11-24 15:57:19.123] [plugin] ...": the timestamp before it, on its line.
    size_t start = verbose.err.rfind('\n', line);
    start = start == std::string::npos ? 0 : start + 1;
    std::string stamp = verbose.err.substr(start, line - start);
    EXPECT_EQ(stamp.size(), 26u) << stamp;
    EXPECT_TRUE(stamp.size() > 5 && stamp[0] == '[' && std::isdigit(stamp[1]) && stamp[5] == '-')
        << stamp;
  }
}

TEST(Tool, InfoJsonParsesAndDescribesTheModule) {
  auto ran = test::runProgram(test::toolPath(), {"info", module("b32-samples"), "--json"});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_EQ(ran.out.find('\r'), std::string::npos);
  test::JsonValue info;
  try {
    info = test::parseJson(ran.out);
  } catch (const std::exception& error) {
    FAIL() << error.what() << " in:\n" << ran.out;
  }
  EXPECT_EQ(info["module"].string, module("b32-samples"));
  EXPECT_EQ(info["architecture"].string, "x64");
  EXPECT_EQ(info["bridged"].type, test::JsonValue::Type::boolean);
  EXPECT_FALSE(info["bridged"].boolean);
  EXPECT_EQ(info["surrogate"].type, test::JsonValue::Type::null);
  EXPECT_FALSE(info["sdkVersion"].string.empty());
  const auto& plugins = info["plugins"];
  ASSERT_EQ(plugins.items.size(), 3u);
  const auto& gain = plugins[0];
  EXPECT_EQ(gain["id"].string, "com.bridge32.samples.gain");
  EXPECT_EQ(gain["name"].string, "Gain");
  EXPECT_EQ(gain["extensions"][0].string, "params");
  const auto& level = gain["params"][0];
  EXPECT_EQ(level["id"].number, 1);
  EXPECT_EQ(level["name"].string, "gain");
  EXPECT_EQ(level["unit"].string, "x");
  EXPECT_EQ(level["min"].number, 0);
  EXPECT_EQ(level["max"].number, 4);
  EXPECT_EQ(level["default"].number, 1);
  EXPECT_TRUE(level["flags"].items.empty());
  EXPECT_EQ(gain["params"][1]["max"].number, 0.99);
  EXPECT_EQ(plugins[1]["params"][0]["flags"][0].string, "read-only");

  auto faulty = test::runProgram(test::toolPath(), {"info", module("b32-faulty"), "--json", "--isolate"});
  ASSERT_EQ(faulty.exitCode, 0) << faulty.err;
  test::JsonValue bridged = test::parseJson(faulty.out);
  EXPECT_TRUE(bridged["bridged"].boolean);
  EXPECT_EQ(bridged["surrogate"].type, test::JsonValue::Type::string);
  EXPECT_EQ(bridged["plugins"][0]["params"][1]["name"].string, "exit code");
  EXPECT_EQ(bridged["plugins"][0]["params"][1]["flags"][0].string, "stepped");
}

TEST(Tool, InfoShowsParameterFlags) {
  auto ran = test::runProgram(test::toolPath(), {"info", module("b32-faulty")});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_TRUE(says(printed(ran), "param 2 exit code    [0 .. 255] default 3, shows \"3\" (stepped)\n"))
      << ran.out;
  ran = test::runProgram(test::toolPath(), {"info", module("b32-samples")});
  EXPECT_TRUE(says(printed(ran),
                   "param 1 peak         [0 .. 1e+09] default 0, shows \"0\" (read-only)\n"))
      << ran.out;
  EXPECT_TRUE(says(printed(ran), "param 1 gain         [0 .. 4] default 1 x, shows \"1 x\"\n"))
      << ran.out;
  EXPECT_TRUE(says(printed(ran), "programs:   \"Soft\", \"Loud\" (current 0)\n")) << ran.out;
}

// A stepped parameter given a fraction, which the faulty sample refuses: the error names the
// parameter, the value and the rule, in-process and from a surrogate of either bitness.
TEST(Tool, ARefusedParameterValueSaysWhy) {
  std::vector<std::vector<std::string>> runs = {
      {"run", module("b32-faulty"), "--set", "exit code=2.5"},
      {"run", module("b32-faulty"), "--set", "exit code=2.5", "--isolate"},
  };
#if !_WIN32
  runs.push_back({"run", module("b32-faulty", Architecture::x86), "--set", "exit code=2.5"});
#endif
  for (const auto& args : runs) {
    SCOPED_TRACE(args.back());
    auto ran = test::runProgram(test::toolPath(), args);
    EXPECT_EQ(ran.exitCode, 1) << ran.out;
    EXPECT_TRUE(says(ran.err, "plugin 'com.bridge32.samples.faulty' refused value 2.5 for parameter "
                              "'exit code' (id 2), which takes whole numbers in [0, 255] (stepped)"))
        << ran.err;
    EXPECT_FALSE(says(ran.err, "B32_ERROR_INVALID_ARGUMENT")) << ran.err;
  }
  auto outside = test::runProgram(test::toolPath(), {"run", module("b32-samples"), "--set", "gain=5"});
  EXPECT_EQ(outside.exitCode, 1);
  EXPECT_TRUE(says(outside.err, "value 5 for parameter 'gain' (id 1)") && says(outside.err, "[0, 4]"))
      << outside.err;
}

// The same through the API: ParamInfo says which parameters are stepped.
TEST(Tool, ParamInfoSaysWhichParametersAreStepped) {
  for (const test::Placement& where : {test::kInProcess64, test::kSurrogate64}) {
    SCOPED_TRACE(where.name);
    auto loaded = PluginModule::load(test::pluginPath(where.architecture, "b32-faulty"),
                                     test::optionsFor(where));
    test::RecordingCallbacks callbacks;
    auto instance = loaded->createInstance(loaded->plugins().at(0).id, callbacks);
    ASSERT_EQ(instance->params().size(), 3u);
    EXPECT_TRUE(instance->params()[1].isStepped());
    EXPECT_EQ(instance->params()[1].rule(), "whole numbers in [0, 255] (stepped)");
    Error refused = test::expectError([&] { instance->setParam(2, 2.5); });
    EXPECT_EQ(refused.kind(), Error::Kind::invalidArgument) << refused.what();
    EXPECT_TRUE(says(refused.message(), "refused value 2.5 for parameter 'exit code'")) << refused.what();
  }
  auto samples = PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"),
                                    test::baseOptions());
  test::RecordingCallbacks callbacks;
  auto gain = samples->createInstance("com.bridge32.samples.gain", callbacks);
  EXPECT_FALSE(gain->params()[0].isStepped());
  EXPECT_EQ(gain->params()[0].rule(), "numbers in [0, 4]");
}

}  // namespace
}  // namespace bridge32
