#include "dynamic-library.h"

#include "bridge32/error.h"
#include "bridge32/types.h"

#if _WIN32
#include "win32.h"
#else
#include <dlfcn.h>
#endif

namespace bridge32 {

#if _WIN32

DynamicLibrary::DynamicLibrary(const std::filesystem::path& path) {
  // The module's own directory is searched for its dependencies, as users expect of plugins.
  handle_ = LoadLibraryExW(path.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (!handle_) {
    DWORD code = GetLastError();
    std::string hint;
    if (code == ERROR_MOD_NOT_FOUND) hint = " (the module or a DLL it depends on is missing)";
    if (code == ERROR_BAD_EXE_FORMAT) hint = " (wrong bitness or not a DLL)";
    throw Error(Error::Kind::badModule,
                "cannot load '" + utf8(path) + "': " + win32::errorText(code) + hint);
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
