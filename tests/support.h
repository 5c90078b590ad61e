// Where the build put the surrogates and plugin modules, relative to the test executable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <string>

#include "bridge32/types.h"

namespace bridge32::test {

std::filesystem::path outputDir();  // holds bin/ and plugins/
std::filesystem::path surrogatePath(Architecture architecture);
std::filesystem::path toolPath();  // the bridge32 command-line tool
std::filesystem::path pluginPath(Architecture architecture, const std::string& name);
std::string moduleSuffix();  // ".dll" or ".so"

// What a program run to its end said and how it ended.
struct Ran {
  int exitCode = -1;  // -1: it did not exit normally (a signal, a crash)
  std::string out, err;
};
// Runs `program` with `args` to its end (at most a minute), its stdout into `stdoutPath` when
// given (a full device, say) and captured otherwise.
Ran runProgram(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& stdoutPath = {});

// The most memory process `pid` has had resident (VmHWM on Linux, the peak working set on
// Windows), or nothing if it cannot be read.
std::optional<uint64_t> peakMemoryBytes(uint32_t pid);

#if !_WIN32
// Stops process `pid` for good (SIGSTOP), as a debugger would.
bool freezeProcess(uint32_t pid);
#endif
// Ends process `pid` at once, as a crash would.
bool killProcess(uint32_t pid);

#if _WIN32
// True when this Windows process runs under Wine (ntdll exports wine_get_version).
bool runningUnderWine();
#else
// The program process `pid` runs: /proc/PID/exe, or, for a process of user-mode QEMU (i386 code
// on a machine without 32-bit support, registered by scripts/setup.sh), the program QEMU runs.
std::filesystem::path programOf(uint32_t pid);
#endif

// True when i386 programs run under user-mode QEMU here: its binfmt_misc entry is enabled
// (scripts/setup.sh registers it where i386 code cannot run natively). Under Wine, the Linux
// machine's entry, read through Wine's Z: drive; false on Windows itself.
bool i386UnderQemu();

}  // namespace bridge32::test
