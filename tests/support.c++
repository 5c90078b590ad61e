#include "support.h"

#if _WIN32
#include "win32.h"  // first: <windows.h>, which <psapi.h> and <tlhelp32.h> need
#include <psapi.h>
#include <tlhelp32.h>
#else
#include <signal.h>

#include <fstream>
#include <sstream>
#endif

namespace bridge32::test {

std::filesystem::path outputDir() {
#if _WIN32
  std::wstring buffer(32768, L'\0');
  buffer.resize(GetModuleFileNameW(nullptr, buffer.data(), DWORD(buffer.size())));
  std::filesystem::path executable = buffer;
#else
  std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe");
#endif
  return executable.parent_path().parent_path();
}

std::string moduleSuffix() {
#if _WIN32
  return ".dll";
#else
  return ".so";
#endif
}

#if _WIN32
bool runningUnderWine() {
  return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
}
#endif

std::filesystem::path surrogatePath(Architecture architecture) {
#if _WIN32
  const char* suffix = ".exe";
#else
  const char* suffix = "";
#endif
  return outputDir() / "bin" / ("bridge32-surrogate-" + std::string(toString(architecture)) + suffix);
}

std::filesystem::path pluginPath(Architecture architecture, const std::string& name) {
  return outputDir() / "plugins" / std::string(toString(architecture)) / (name + moduleSuffix());
}

std::optional<uint64_t> peakMemoryBytes(uint32_t pid) {
#if _WIN32
  HANDLE process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  if (!process) return std::nullopt;
  PROCESS_MEMORY_COUNTERS counters{};
  counters.cb = sizeof counters;
  bool ok = GetProcessMemoryInfo(process, &counters, sizeof counters);
  CloseHandle(process);
  if (!ok) return std::nullopt;
  return uint64_t(counters.PeakWorkingSetSize);
#else
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    uint64_t kilobytes = 0;
    std::istringstream(line.substr(6)) >> kilobytes;
    return kilobytes * 1024;
  }
  return std::nullopt;
#endif
}

bool freezeProcess(uint32_t pid) {
#if _WIN32
  win32::Handle threads(CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0));
  if (threads.get() == INVALID_HANDLE_VALUE) return false;
  THREADENTRY32 entry{};
  entry.dwSize = sizeof entry;
  int frozen = 0;
  for (bool more = Thread32First(threads.get(), &entry); more;
       more = Thread32Next(threads.get(), &entry)) {
    if (entry.th32OwnerProcessID != pid) continue;
    win32::Handle thread(OpenThread(THREAD_SUSPEND_RESUME, FALSE, entry.th32ThreadID));
    if (thread && SuspendThread(thread.get()) != DWORD(-1)) ++frozen;
  }
  return frozen > 0;
#else
  return kill(pid_t(pid), SIGSTOP) == 0;
#endif
}

bool killProcess(uint32_t pid) {
#if _WIN32
  win32::Handle process(OpenProcess(PROCESS_TERMINATE, FALSE, pid));
  return process && TerminateProcess(process.get(), 0xC0000005);
#else
  return kill(pid_t(pid), SIGKILL) == 0;
#endif
}

}  // namespace bridge32::test
