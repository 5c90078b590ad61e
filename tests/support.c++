#include "support.h"

#if _WIN32
#include "win32.h"
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

}  // namespace bridge32::test
