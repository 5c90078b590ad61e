// A shared library loaded with the platform's own loader (LoadLibraryExW / dlopen).
#pragma once

#include <filesystem>

namespace bridge32 {

// The running program's executable file; empty if it cannot be told.
std::filesystem::path runningExecutable();

// The file the code or data at `address` was loaded from: a shared library (libbridge32.so,
// bridge32.dll, a plugin that linked bridge32 statically such as the VST2 shim), or the executable.
// Empty if it cannot be told.
std::filesystem::path moduleContaining(const void* address);

class DynamicLibrary {
 public:
  // Loads `path`; throws Error(badModule) with the loader's own explanation (which names a
  // missing dependency on Linux).
  explicit DynamicLibrary(const std::filesystem::path& path);
  ~DynamicLibrary();
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;

  // The exported symbol `name`, or nullptr.
  void* symbol(const char* name) const;

 private:
  void* handle_;
};

}  // namespace bridge32
