#include "dynamic-library.h"

#include <cctype>

#include "bridge32/error.h"
#include "bridge32/types.h"
#include "module-file.h"

#if _WIN32
#include "win32.h"
#else
#include <dlfcn.h>
#include <link.h>
#endif

namespace bridge32 {

std::filesystem::path runningExecutable() {
#if _WIN32
  std::wstring buffer(32768, L'\0');
  DWORD length = GetModuleFileNameW(nullptr, buffer.data(), DWORD(buffer.size()));
  buffer.resize(length);
  return buffer;
#else
  std::error_code error;
  return std::filesystem::read_symlink("/proc/self/exe", error);
#endif
}

std::filesystem::path moduleContaining(const void* address) {
#if _WIN32
  HMODULE module = nullptr;
  if (!GetModuleHandleExW(
          GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
          static_cast<LPCWSTR>(address), &module)) {
    return {};
  }
  std::wstring buffer(32768, L'\0');
  DWORD length = GetModuleFileNameW(module, buffer.data(), DWORD(buffer.size()));
  buffer.resize(length);
  return buffer;
#else
  Dl_info info{};
  link_map* map = nullptr;
  if (!dladdr1(address, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) || !map) return {};
  // The executable's own link map has no name (dladdr would say argv[0]).
  if (map->l_name == nullptr || map->l_name[0] == '\0') return runningExecutable();
  std::error_code error;
  auto path = std::filesystem::canonical(map->l_name, error);
  return error ? std::filesystem::path(map->l_name) : path;
#endif
}

#if _WIN32

namespace {

// Why the loader said "module not found" for `path`, which exists: the DLLs it imports that are
// neither loaded, nor beside it, nor on the search path.
std::string missingDependencies(const std::filesystem::path& path) {
  std::vector<std::string> imports = importedDlls(path), missing;
  for (const std::string& name : imports) {
    std::string lower = name;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("api-ms-") || lower.starts_with("ext-ms-")) continue;  // API sets
    std::wstring wide = win32::wide(name);
    if (GetModuleHandleW(wide.c_str())) continue;
    std::error_code error;
    if (std::filesystem::exists(path.parent_path() / wide, error)) continue;
    if (HMODULE found = LoadLibraryExW(wide.c_str(), nullptr, LOAD_LIBRARY_AS_DATAFILE)) {
      FreeLibrary(found);
      continue;
    }
    missing.push_back(name);
  }
  auto list = [](const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
  };
  if (!missing.empty()) {
    return "it needs " + list(missing) + (missing.size() == 1 ? ", which is" : ", which are") +
           " not beside it, not loaded and not on the DLL search path";
  }
  if (imports.empty()) return "a DLL it depends on is missing (its import table is unreadable)";
  return "a DLL that one of its dependencies needs is missing (it imports " + list(imports) + ")";
}

}  // namespace

DynamicLibrary::DynamicLibrary(const std::filesystem::path& path) {
  // The module's own directory is searched for its dependencies, as users expect of plugins.
  handle_ = LoadLibraryExW(path.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (!handle_) {
    DWORD code = GetLastError();
    std::string why = win32::errorText(code);
    if (code == ERROR_MOD_NOT_FOUND) why = missingDependencies(path);
    if (code == ERROR_BAD_EXE_FORMAT) why += " (wrong bitness or not a DLL)";
    if (code == ERROR_DLL_INIT_FAILED) why += " (its DllMain returned FALSE or failed)";
    throw Error(Error::Kind::badModule, "cannot load '" + utf8(path) + "': " + why);
  }
}

DynamicLibrary::~DynamicLibrary() { FreeLibrary(static_cast<HMODULE>(handle_)); }

void* DynamicLibrary::symbol(const char* name) const {
  return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(handle_), name));
}

#else

DynamicLibrary::DynamicLibrary(const std::filesystem::path& path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* reason = dlerror();
    throw Error(Error::Kind::badModule,
                "cannot load '" + utf8(path) + "': " + (reason ? reason : "unknown dlopen error"));
  }
}

DynamicLibrary::~DynamicLibrary() { dlclose(handle_); }

void* DynamicLibrary::symbol(const char* name) const { return dlsym(handle_, name); }

#endif

}  // namespace bridge32
