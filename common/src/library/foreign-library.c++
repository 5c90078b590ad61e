#include "library/foreign-library.h"

#include <string>

#include "bridge32/error.h"
#include "bridge32/types.h"
#include "dynamic-library.h"
#include "library/declaration-shapes.h"
#include "module-exports.h"

namespace bridge32::library {

namespace {

// A function and the library it lives in, which stays loaded while the function is held (and
// is unloaded before the library's retired callbacks can go).
struct BoundFunction {
  BoundFunction(std::shared_ptr<DynamicLibrary> library, void* address, FunctionShape signature,
                std::shared_ptr<RetiredCallbacks> retired)
      : retired(retired),
        library(std::move(library)),
        function(address, std::move(signature), std::move(retired)) {}
  std::shared_ptr<RetiredCallbacks> retired;
  std::shared_ptr<DynamicLibrary> library;
  ForeignFunction function;
};

// The bytes of arguments a 32-bit stdcall or fastcall function takes off the stack, for the
// decorated names MSVC and MinGW export (`_name@12`, `@name@8`): each argument in 4-byte slots.
[[maybe_unused]] uint32_t argumentBytes(const FunctionShape& signature) {
  uint32_t bytes = 0;
  for (const auto& parameter : signature.parameters) bytes += (parameter.shape->size + 3) / 4 * 4;
  return bytes;
}

}  // namespace

ForeignLibrary::ForeignLibrary(const std::filesystem::path& path)
    : path_(path),
      retired_(makeRetiredCallbacks()),
      library_(std::make_shared<DynamicLibrary>(path)) {}

ForeignLibrary::~ForeignLibrary() = default;

void* ForeignLibrary::resolve(const FunctionShape& signature) const {
  const std::string& name = signature.name;
  if (void* address = library_->symbol(name.c_str())) return address;
#if defined(_WIN32) && !defined(_WIN64)
  std::string bytes = std::to_string(argumentBytes(signature));
  for (const std::string& decorated : {"_" + name + "@" + bytes, name + "@" + bytes,
                                       "@" + name + "@" + bytes, "_" + name}) {
    if (void* address = library_->symbol(decorated.c_str())) return address;
  }
#endif
  std::string message = "'" + utf8(path_) + "' has no export '" + name + "'";
  try {
    auto closest = closestExports(listExports(path_), name);
    if (!closest.empty()) {
      message += "; the closest: ";
      for (size_t i = 0; i < closest.size(); ++i) message += (i ? ", " : "") + closest[i];
    }
  } catch (const Error&) {
    // Its export table cannot be read: the message without suggestions.
  }
  throw Error(Error::Kind::notFound, message);
}

std::shared_ptr<const ForeignFunction> ForeignLibrary::bind(FunctionShape signature) {
  void* address = resolve(signature);
  auto bound = std::make_shared<BoundFunction>(library_, address, std::move(signature), retired_);
  return std::shared_ptr<const ForeignFunction>(bound, &bound->function);
}

}  // namespace bridge32::library
