// A library loaded in this process or in a surrogate, and a function bound in it: what the C
// API's bridge32_library and bridge32_function are (host64/src/library/c-api.c++), and so what
// the C++ API's Library and Function are made of. Each placement is a kind of these
// (in-process-library.c++, bridged-library.c++); what they share is here and in
// loaded-library.c++: the headers and declarations functions are bound from by name.
//
// Threading as bridge32/library.h says of Library and Function.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "bridge32/library.h"

namespace bridge32 {

namespace library {
struct Signature;  // a parsed declaration
}

class BoundFunction {
 public:
  virtual ~BoundFunction() = default;

  virtual const std::string& name() const = 0;
  virtual const std::string& declaration() const = 0;
  virtual bool returnsVoid() const = 0;
  virtual const FunctionInfo& info() const = 0;
  // As Function::call.
  virtual CallResult call(std::span<const Value> arguments,
                          std::span<const Callback> callbacks) = 0;
};

class LoadedLibrary {
 public:
  // As Library::load.
  static std::unique_ptr<LoadedLibrary> load(const std::filesystem::path& path,
                                             const LoadOptions& options);

  virtual ~LoadedLibrary();

  virtual const std::filesystem::path& path() const = 0;
  virtual Architecture architecture() const = 0;
  virtual bool isBridged() const = 0;
  virtual uint32_t surrogatePid() const = 0;

  // As Library's include, declare, function and duplicateHandle.
  void include(const std::filesystem::path& header, const HeaderOptions& options);
  void declare(std::string_view declarations);
  std::shared_ptr<BoundFunction> function(std::string_view nameOrDeclarations);
  void* duplicateHandle(const Value& handle);

  // Memory of `bytes` for Library::buffer, aligned for any number, and what keeps it: in a
  // segment shared with the surrogate when bridged.
  struct Block {
    std::span<std::byte> bytes;
    std::shared_ptr<const void> owner;
  };
  virtual Block allocateBlock(size_t bytes);

 protected:
  LoadedLibrary();
  // The function `function` declares, shown to users as `declaration`.
  virtual std::shared_ptr<BoundFunction> bindFunction(
      std::shared_ptr<const library::Signature> function, std::string declaration) = 0;
  // The library's `handle` duplicated into this process (Windows).
  virtual void* duplicateFromLibrary(uint64_t handle) = 0;

 private:
  struct Headers;  // what include() and declare() gave, read once
  std::unique_ptr<Headers> headers_;
};

}  // namespace bridge32
