// A shared library loaded with the platform's own loader (LoadLibraryExW / dlopen).
#pragma once

#include <filesystem>

namespace bridge32 {

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
