// A COM class loaded in a surrogate, its objects, their event connections, and objects of this
// process that bridged objects call: what the C API's bridge32_com_class, bridge32_com_object and
// bridge32_com_connection are (host64/src/com/c-api.c++), and so what the C++ API's ComClass,
// ComObject and ComConnection are made of (bridged-com.c++). Every member does what
// bridge32/com.h says of its namesake there, with the same threading.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/com.h"

namespace bridge32 {

class LoadedComConnection {
 public:
  virtual ~LoadedComConnection() = default;
  virtual const std::string& events() const = 0;
};

class LoadedComObject : public ComReference {
 public:
  virtual ComValue get(std::string_view name, std::vector<ComValue> arguments) = 0;
  virtual void put(std::string_view name, ComValue value, std::vector<ComValue> arguments) = 0;
  virtual ComValue call(std::string_view name, std::vector<ComValue> arguments,
                        std::vector<ComNamedArgument> named) = 0;
  virtual std::vector<ComValue> items() = 0;
  virtual std::optional<ComTypeInfo> typeInfo() = 0;
  virtual std::unique_ptr<LoadedComConnection> connect(ComEventHandler handler) = 0;
};

class LoadedComClass {
 public:
  static std::unique_ptr<LoadedComClass> load(std::string_view name, Architecture architecture,
                                              const LoadOptions& options);
  virtual ~LoadedComClass() = default;

  virtual const std::string& clsid() const = 0;
  virtual const std::string& progId() const = 0;
  virtual const std::string& server() const = 0;
  virtual const std::string& threadingModel() const = 0;
  virtual uint32_t surrogatePid() const = 0;
  virtual std::shared_ptr<LoadedComObject> create() = 0;
  virtual std::optional<ComClass::LoadedServer> loadedServer() const = 0;
};

// An object of this process that bridged objects call, answered by `handler`.
std::shared_ptr<ComReference> makeHostComObject(ComHandler handler);

}  // namespace bridge32
