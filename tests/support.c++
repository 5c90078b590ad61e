#include "support.h"

#if _WIN32
#include "win32.h"  // first: <windows.h>, which <psapi.h> needs
#include <psapi.h>
#else
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

}  // namespace bridge32::test
