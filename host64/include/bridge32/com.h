// COM automation objects of an in-process server (a 32-bit DLL, typically), created in a
// surrogate and used by late binding, as VBScript uses them:
//
//   auto dictionary = bridge32::ComClass::load("Scripting.Dictionary")->create();
//   dictionary->call("Add", {"a", 1});
//   dictionary->put("Item", "forty-two", {"a"});             // Item("a") = "forty-two"
//
// (README.md's example=com-objects, which the build compiles, is the whole program.)
//
// Values are ComValues (bridge32/com-value.h): what a VARIANT holds, strings as UTF-8. An object
// an object gives (an IDispatch) is another ComObject in the same surrogate. A failed call throws
// bridge32::Error; Error::com() then says what COM said (HRESULT, and the exception's code,
// source and description). The surrogate's objects are released when the last ComObject for each
// goes, and all of them when the surrogate does. COM is a Windows facility: elsewhere load()
// throws Error(unsupported).
//
// Objects go both ways: a bridged object goes back to its own surrogate as the COM object it is;
// an object of this process (makeComObject) is called back by the COM object; connect() delivers
// a bridged object's events.
//
// When the surrogate stops (a crash, a hang past its deadline), the call in progress throws
// Error(disconnected) naming the class and member. An object made by ComClass::create() is made
// again in the surrogate that replaces it at its next call, and given the property values put
// since (the last per property and arguments; values holding bridged objects are not kept) and
// its event connections; objects other objects gave are gone with the old surrogate.
//
// Threading: the objects live in the surrogate's plugin thread, a single-threaded apartment that
// dispatches window messages. Calls may come from any thread, one at a time per object; a call
// from a window thread keeps dispatching its messages while it waits, as every bridged call does.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/com-type.h"
#include "bridge32/com-value.h"
#include "bridge32/surrogate.h"

namespace bridge32 {

struct ComNamedArgument {
  std::string name;
  ComValue value;
};

// Says what a call to an object of this process is: a method call (or a property get), or a
// property put, whose value is then the last argument.
enum class ComCallKind { method, propertyGet, propertyPut };

// An object of this process for bridged objects to call: a callback target they are given, an
// event sink. `handler(member, kind, arguments)` answers each call, on bridge32's own thread,
// one at a time; it must not call bridged objects itself (that throws Error(badState)). What it
// throws reaches the COM object as an exception (DISP_E_EXCEPTION, with the Error's message as
// the description). Named arguments are refused (DISP_E_NONAMEDARGS).
using ComHandler = std::function<ComValue(std::string_view member, ComCallKind kind,
                                          std::vector<ComValue>& arguments)>;
std::shared_ptr<ComReference> makeComObject(ComHandler handler);

// An event of a bridged object: its name (from the events' type information, or "#<DISPID>"
// without it) and its arguments. Called on bridge32's own thread while the object raises it;
// as for ComHandler, it must not call bridged objects.
using ComEventHandler =
    std::function<void(std::string_view event, const std::vector<ComValue>& arguments)>;

// A sink connected to a bridged object's events; disconnected when destroyed.
class ComConnection {
 public:
  virtual ~ComConnection() = default;
  virtual const std::string& events() const = 0;  // the events' interface ("DProbeEvents")
};

class ComObject : public ComReference {
 public:
  // Property `name` (DISPATCH_PROPERTYGET); `arguments` for a property that takes them
  // (Item("key")).
  virtual ComValue get(std::string_view name, std::vector<ComValue> arguments = {}) = 0;
  // Sets property `name` to `value` (DISPATCH_PROPERTYPUT), after `arguments` for a property
  // that takes them.
  virtual void put(std::string_view name, ComValue value, std::vector<ComValue> arguments = {}) = 0;
  // Calls method `name` (DISPATCH_METHOD, or a property get, as VBScript does) with positional
  // `arguments` and `named` ones; an empty name calls the object's default member.
  virtual ComValue call(std::string_view name, std::vector<ComValue> arguments = {},
                        std::vector<ComNamedArgument> named = {}) = 0;
  // Every item of the object's enumeration (_NewEnum), in order.
  virtual std::vector<ComValue> items() = 0;
  // What the object's type information says of its members, or nothing when it gives none
  // (IDispatch::GetTypeInfo fails: many objects have none). Calls on objects that give one are
  // checked against it (the number of arguments, the names of named ones) before they reach the
  // object: for objects made by ComClass::create() before they leave this process.
  virtual std::optional<ComTypeInfo> typeInfo() = 0;
  // Connects `handler` to the object's default source of events (IConnectionPointContainer).
  // Throws Error(unsupported) for an object that raises none.
  virtual std::unique_ptr<ComConnection> connect(ComEventHandler handler) = 0;
};

// The object `value` holds; throws Error(invalidArgument) for a value that holds none.
std::shared_ptr<ComObject> asComObject(const ComValue& value);

class ComClass {
 public:
  // The class registered as `name` (a ProgID such as "Scripting.Dictionary", or a CLSID in
  // braces) in a surrogate of `architecture` (LoadOptions::surrogate, when given, must be of it).
  // Throws Error: notFound (no such class, or no in-process server for it in that bitness's
  // view of the registry), unsupported (not Windows), surrogateStart.
  static std::unique_ptr<ComClass> load(std::string_view name,
                                        Architecture architecture = Architecture::x86,
                                        const LoadOptions& options = {});
  virtual ~ComClass() = default;

  // What the registry says of the class.
  virtual const std::string& clsid() const = 0;           // "{EE09B103-...}"
  virtual const std::string& progId() const = 0;          // empty when it has none
  virtual const std::string& server() const = 0;          // the server DLL's path
  virtual const std::string& threadingModel() const = 0;  // "Apartment", "Both", ...
  virtual uint32_t surrogatePid() const = 0;

  // A new object of the class (CoCreateInstance in the surrogate).
  virtual std::shared_ptr<ComObject> create() = 0;

  // The file the objects' code is in, as the surrogate loaded it (a 32-bit process's system32
  // named as the syswow64 it is), and the machine its header says: known once create() made one.
  struct LoadedServer {
    std::filesystem::path path;
    Architecture architecture = Architecture::unknown;
  };
  virtual std::optional<LoadedServer> loadedServer() const = 0;
};

}  // namespace bridge32
