// A library loaded in this process whose exports are called by their C declarations: the library
// kind's engine on either side (see foreign-call.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "library/foreign-call.h"

namespace bridge32::library {

class ForeignLibrary {
 public:
  // Loads `path` with the platform's loader; no entry point is needed. Throws Error(notFound,
  // badModule).
  explicit ForeignLibrary(const std::filesystem::path& path);
  ~ForeignLibrary();
  ForeignLibrary(const ForeignLibrary&) = delete;
  ForeignLibrary& operator=(const ForeignLibrary&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Finds `function`'s export (on 32-bit Windows also as a decorated stdcall or fastcall name)
  // and prepares its calls. Throws Error(notFound) naming the closest exports. The function
  // keeps the library loaded.
  std::shared_ptr<const ForeignFunction> bind(FunctionShape function);

 private:
  void* resolve(const FunctionShape& signature) const;

  std::filesystem::path path_;
  // The kept callbacks of all its functions: declared first, so freed after the library is
  // unloaded, in case one of its threads calls one late.
  std::shared_ptr<RetiredCallbacks> retired_;
  std::shared_ptr<DynamicLibrary> library_;
};

}  // namespace bridge32::library
