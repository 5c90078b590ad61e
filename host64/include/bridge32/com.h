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
// Threading: the objects live in the surrogate's module thread, a single-threaded apartment that
// dispatches window messages. Calls may come from any thread, one at a time per object; a call
// from a window thread keeps dispatching its messages while it waits, as every bridged call does.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/bridge32.h"
#include "bridge32/com-type.h"
#include "bridge32/com-value.h"
#include "bridge32/detail/c-api.h"
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
std::shared_ptr<ComReference> makeComObject(ComHandler handler);  // below

// An event of a bridged object: its name (from the events' type information, or "#<DISPID>"
// without it) and its arguments. Called on bridge32's own thread while the object raises it;
// as for ComHandler, it must not call bridged objects.
using ComEventHandler =
    std::function<void(std::string_view event, const std::vector<ComValue>& arguments)>;

namespace detail {

// An object the C API knows (bridge32_com_object): a bridged one, or one of this process.
class CComObject : public ComReference {
 public:
  explicit CComObject(bridge32_com_object* handle) : handle_(handle) {}
  ~CComObject() override { bridge32_com_object_free(handle_); }
  CComObject(const CComObject&) = delete;
  CComObject& operator=(const CComObject&) = delete;

  bridge32_com_object* handle() const { return handle_; }

 private:
  bridge32_com_object* handle_;
};

// ComValues as C values, in memory this holds: pointers into the ComValues (strings, bounds,
// numbers) and their objects' handles, which must outlive it.
class CComValues {
 public:
  CComValues() = default;
  virtual ~CComValues() = default;
  CComValues(const CComValues&) = delete;
  CComValues& operator=(const CComValues&) = delete;

  const bridge32_com_value* addAll(std::span<const ComValue> values) {
    auto* converted = values_.emplace_back(new bridge32_com_value[values.size()]).get();
    for (size_t i = 0; i < values.size(); ++i) fill(converted[i], values[i]);
    return converted;
  }
  const bridge32_com_value* add(const ComValue& value) { return addAll({&value, 1}); }

 private:
  void fill(bridge32_com_value& out, const ComValue& value) {
    out = bridge32_com_value{};
    out.kind = bridge32_com_value_kind(value.kind());
    out.vartype = value.type();
    switch (value.kind()) {
      case ComValue::Kind::empty:
      case ComValue::Kind::null: return;
      case ComValue::Kind::boolean: out.as.boolean = value.asBool(); return;
      case ComValue::Kind::integer: out.as.i64 = value.asInt64(); return;
      case ComValue::Kind::unsignedInteger: out.as.u64 = value.asUint64(); return;
      case ComValue::Kind::real: out.as.f64 = value.asDouble(); return;
      case ComValue::Kind::currency: out.as.i64 = value.asCurrency(); return;
      case ComValue::Kind::date: out.as.f64 = value.asDate(); return;
      case ComValue::Kind::string:
        out.as.string.data = value.asString().c_str();
        out.as.string.length = value.asString().size();
        return;
      case ComValue::Kind::error: out.as.i64 = value.asError(); return;
      case ComValue::Kind::object:
        if (const auto& object = value.asObject()) out.as.object = handleOf(object);
        return;
      case ComValue::Kind::array: {
        const ComArray& array = value.asArray();
        out.as.array.dimensions = uint32_t(array.counts.size());
        out.as.array.lower_bounds = array.lowerBounds.data();
        out.as.array.counts = array.counts.data();
        out.as.array.count = array.size();
        if (array.numbers) {
          out.as.array.numbers = array.numbers->bytes().data();
        } else {
          out.as.array.elements = addAll(array.elements);
        }
        return;
      }
    }
  }

  // The C API's handle of `object`.
  virtual bridge32_com_object* handleOf(const std::shared_ptr<ComReference>& object) {
    auto* known = dynamic_cast<const CComObject*>(object.get());
    if (!known) {
      throw Error(Error::Kind::invalidArgument,
                  "an object bridge32 did not make (makeComObject makes objects of this "
                  "process for bridged objects to call)");
    }
    return known->handle();
  }

  std::vector<std::unique_ptr<bridge32_com_value[]>> values_;
};

}  // namespace detail

// A sink connected to a bridged object's events; disconnected when destroyed.
class ComConnection {
 public:
  // Takes the C API's connection and the handler it calls.
  ComConnection(bridge32_com_connection* handle, std::unique_ptr<ComEventHandler> handler)
      : handler_(std::move(handler)), handle_(handle) {
    size_t length = 0;
    const char* events = bridge32_com_connection_events(handle, &length);
    events_ = detail::stringFrom(events, length);
  }
  ~ComConnection() { bridge32_com_connection_free(handle_); }  // before the handler goes
  ComConnection(const ComConnection&) = delete;
  ComConnection& operator=(const ComConnection&) = delete;

  const std::string& events() const { return events_; }  // the events' interface ("DProbeEvents")

 private:
  std::unique_ptr<ComEventHandler> handler_;
  bridge32_com_connection* handle_;
  std::string events_;
};

class ComObject : public detail::CComObject {
 public:
  // Takes the C API's handle.
  explicit ComObject(bridge32_com_object* handle) : CComObject(handle) {}

  // Property `name` (DISPATCH_PROPERTYGET); `arguments` for a property that takes them
  // (Item("key")).
  ComValue get(std::string_view name, std::vector<ComValue> arguments = {}) {
    detail::CComValues given;
    const bridge32_com_value* values = given.addAll(arguments);
    bridge32_com_result* result = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_com_object_get(handle(), name.data(), name.size(), values, arguments.size(),
                                     &result, error);
    });
    return resultValue(result);
  }
  // Sets property `name` to `value` (DISPATCH_PROPERTYPUT), after `arguments` for a property
  // that takes them.
  void put(std::string_view name, ComValue value, std::vector<ComValue> arguments = {}) {
    detail::CComValues given;
    const bridge32_com_value* values = given.addAll(arguments);
    const bridge32_com_value* put = given.add(value);
    detail::checked([&](bridge32_error** error) {
      return bridge32_com_object_put(handle(), name.data(), name.size(), put, values,
                                     arguments.size(), error);
    });
  }
  // Calls method `name` (DISPATCH_METHOD, or a property get, as VBScript does) with positional
  // `arguments` and `named` ones; an empty name calls the object's default member.
  ComValue call(std::string_view name, std::vector<ComValue> arguments = {},
                std::vector<ComNamedArgument> named = {}) {
    detail::CComValues given;
    const bridge32_com_value* values = given.addAll(arguments);
    std::vector<bridge32_com_named_argument> cNamed;
    for (const auto& argument : named) {
      cNamed.push_back({argument.name.data(), argument.name.size(), *given.add(argument.value)});
    }
    bridge32_com_result* result = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_com_object_call(handle(), name.data(), name.size(), values, arguments.size(),
                                      cNamed.data(), cNamed.size(), &result, error);
    });
    return resultValue(result);
  }
  // Every item of the object's enumeration (_NewEnum), in order.
  std::vector<ComValue> items() {
    bridge32_com_result* result = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_com_object_items(handle(), &result, error);
    });
    ComValue all = resultValue(result);
    if (all.kind() != ComValue::Kind::array) return {};
    const ComArray& array = all.asArray();
    std::vector<ComValue> items;
    items.reserve(array.size());
    for (size_t i = 0; i < array.size(); ++i) items.push_back(array.element(i));
    return items;
  }
  // What the object's type information says of its members, or nothing when it gives none
  // (IDispatch::GetTypeInfo fails: many objects have none). Calls on objects that give one are
  // checked against it (the number of arguments, the names of named ones) before they reach the
  // object: for objects made by ComClass::create() before they leave this process.
  std::optional<ComTypeInfo> typeInfo();
  // Connects `handler` to the object's default source of events (IConnectionPointContainer).
  // Throws Error(unsupported) for an object that raises none.
  std::unique_ptr<ComConnection> connect(ComEventHandler handler);

 private:
  static ComValue resultValue(bridge32_com_result* result);
};

// The object `value` holds; throws Error(invalidArgument) for a value that holds none.
inline std::shared_ptr<ComObject> asComObject(const ComValue& value) {
  auto object = value.kind() == ComValue::Kind::object
                    ? std::dynamic_pointer_cast<ComObject>(value.asObject())
                    : nullptr;
  if (!object) {
    throw Error(Error::Kind::invalidArgument, "expected an object, got " + value.toString());
  }
  return object;
}

class ComClass {
 public:
  // The class registered as `name` (a ProgID such as "Scripting.Dictionary", or a CLSID in
  // braces) in a surrogate of `architecture` (LoadOptions::surrogate, when given, must be of it).
  // Throws Error: notFound (no such class, or no in-process server for it in that bitness's
  // view of the registry), unsupported (not Windows), surrogateStart.
  static std::unique_ptr<ComClass> load(std::string_view name,
                                        Architecture architecture = Architecture::x86,
                                        const LoadOptions& options = {}) {
    detail::CLoadOptions c(options);
    bridge32_com_class* loaded = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_com_class_load(name.data(), name.size(), bridge32_architecture(architecture),
                                     c.get(), &loaded, error);
    });
    return std::make_unique<ComClass>(loaded);
  }

  // Takes the C API's handle.
  explicit ComClass(bridge32_com_class* handle)
      : handle_(handle),
        clsid_(text(bridge32_com_class_clsid)),
        progId_(text(bridge32_com_class_prog_id)),
        server_(text(bridge32_com_class_server)),
        threadingModel_(text(bridge32_com_class_threading_model)) {}
  ~ComClass() { bridge32_com_class_free(handle_); }
  ComClass(const ComClass&) = delete;
  ComClass& operator=(const ComClass&) = delete;

  // What the registry says of the class.
  const std::string& clsid() const { return clsid_; }                    // "{EE09B103-...}"
  const std::string& progId() const { return progId_; }                  // empty when it has none
  const std::string& server() const { return server_; }                  // the server DLL's path
  const std::string& threadingModel() const { return threadingModel_; }  // "Apartment", "Both"
  uint32_t surrogatePid() const { return bridge32_com_class_surrogate_pid(handle_); }

  // A new object of the class (CoCreateInstance in the surrogate).
  std::shared_ptr<ComObject> create() {
    bridge32_com_object* object = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_com_class_create(handle_, &object, error);
    });
    return std::make_shared<ComObject>(object);
  }

  // The file the objects' code is in, as the surrogate loaded it (a 32-bit process's system32
  // named as the syswow64 it is), and the machine its header says: known once create() made one.
  struct LoadedServer {
    std::filesystem::path path;
    Architecture architecture = Architecture::unknown;
  };
  std::optional<LoadedServer> loadedServer() const {
    bridge32_bytes* path = nullptr;
    bridge32_architecture architecture = BRIDGE32_ARCH_UNKNOWN;
    if (!bridge32_com_class_loaded_server(handle_, &path, &architecture)) {
      return std::nullopt;
    }
    return LoadedServer{pathFromUtf8(detail::takeText(path)), Architecture(architecture)};
  }

  bridge32_com_class* handle() const { return handle_; }

 private:
  std::string text(const char*(BRIDGE32_CALL* getter)(const bridge32_com_class*, size_t*)) const {
    size_t length = 0;
    const char* text = getter(handle_, &length);
    return detail::stringFrom(text, length);
  }

  bridge32_com_class* handle_;
  std::string clsid_, progId_, server_, threadingModel_;
};

// ---- The C API underneath ---------------------------------------------------------------------

namespace detail {

// What a bridge32_com_object in a C value is as a ComValue's object: the C++ layer's holds a
// handle of its own (a ComObject), the C API's the object the handle stands for.
using ComObjectOf = std::shared_ptr<ComReference> (*)(bridge32_com_object* object);

// A C value as a ComValue, checked (it may be a C caller's): strings and arrays copied, objects
// as `objectOf` makes them. A value that is not one is refused naming `place`.
inline ComValue comValueFrom(const bridge32_com_value& value, const ValuePlace& place,
                             ComObjectOf objectOf) {
  auto typed = [&](uint16_t usual) { return value.vartype ? value.vartype : usual; };
  switch (value.kind) {
    case BRIDGE32_COM_EMPTY: return ComValue();
    case BRIDGE32_COM_NULL: return ComValue::null();
    case BRIDGE32_COM_BOOL: return ComValue(value.as.boolean != 0);
    case BRIDGE32_COM_INT: return ComValue::integer(value.as.i64, typed(ComValue::vtI4));
    case BRIDGE32_COM_UINT: return ComValue::unsignedInteger(value.as.u64, typed(ComValue::vtUi4));
    case BRIDGE32_COM_REAL: return ComValue::real(value.as.f64, typed(ComValue::vtR8));
    case BRIDGE32_COM_CURRENCY: return ComValue::currency(value.as.i64);
    case BRIDGE32_COM_DATE: return ComValue::date(value.as.f64);
    case BRIDGE32_COM_STRING:
      return ComValue(std::string(textOf(value.as.string.data, value.as.string.length, place)));
    case BRIDGE32_COM_ERROR:
      if (value.as.i64 < INT32_MIN || value.as.i64 > int64_t(UINT32_MAX)) {
        refuseValue(place, "is an SCODE of " + std::to_string(value.as.i64) + ": not 32 bits");
      }
      return ComValue::error(int32_t(uint32_t(value.as.i64)));
    case BRIDGE32_COM_OBJECT:
      return ComValue::object(value.as.object ? objectOf(value.as.object) : nullptr);
    case BRIDGE32_COM_ARRAY: {
      const auto& given = value.as.array;
      ComArray array;
      array.elementType = value.vartype ? uint16_t(value.vartype & ~0x2000)  // without VT_ARRAY
                                        : uint16_t(ComValue::vtVariant);
      if (given.dimensions != 0 && (!given.lower_bounds || !given.counts)) {
        refuseValue(place, "is an array of " + std::to_string(given.dimensions) +
                               " dimensions without their bounds or counts");
      }
      array.lowerBounds.assign(given.lower_bounds, given.lower_bounds + given.dimensions);
      array.counts.assign(given.counts, given.counts + given.dimensions);
      if (given.numbers) {
        auto type = comElementType(array.elementType);
        if (!type) {
          refuseValue(place, "holds numbers of VARTYPE " + std::to_string(array.elementType) +
                                 ", which is not a number type");
        }
        if (given.count > SIZE_MAX / elementSize(*type)) {
          refuseValue(place, "holds more numbers than memory");
        }
        auto* begin = static_cast<const std::byte*>(given.numbers);
        array.numbers = std::make_shared<const Value::TypedArray>(
            *type, std::vector<std::byte>(begin, begin + given.count * elementSize(*type)));
      } else {
        if (!given.elements && given.count != 0) {
          refuseValue(place, "has " + std::to_string(given.count) + " elements at NULL");
        }
        array.elements.reserve(given.count);
        for (size_t i = 0; i < given.count; ++i) {
          array.elements.push_back(
              comValueFrom(given.elements[i], ValuePlace(place, i), objectOf));
        }
      }
      return ComValue::array(std::move(array));
    }
  }
  refuseValue(place, "is of kind " + std::to_string(int(value.kind)) +
                         ": expected a bridge32_com_value_kind");
}

// `count` C values, the i-th named "<what> <i + 1>" in errors.
inline std::vector<ComValue> comValuesFrom(const bridge32_com_value* values, size_t count,
                                           std::string_view what, ComObjectOf objectOf) {
  if (!values && count != 0) refuseValue(ValuePlace(what), "is NULL");
  std::vector<ComValue> converted;
  converted.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string name = std::string(what) + " " + std::to_string(i + 1);
    converted.push_back(comValueFrom(values[i], ValuePlace(name), objectOf));
  }
  return converted;
}

// A bridge32_com_object the library handed out, as the C++ layer holds it.
inline std::shared_ptr<ComReference> comObjectOf(bridge32_com_object* object) {
  return std::make_shared<ComObject>(bridge32_com_object_duplicate(object));
}

// An object of this process, answered by its ComHandler, which lives until the C API lets go of
// the object (a surrogate may hold it after this process has).
class HostComObject final : public CComObject {
 public:
  using CComObject::CComObject;
};

}  // namespace detail

inline ComValue ComObject::resultValue(bridge32_com_result* result) {
  std::unique_ptr<bridge32_com_result, void(BRIDGE32_CALL*)(bridge32_com_result*)> owned(
      result, bridge32_com_result_free);
  const bridge32_com_value* value = bridge32_com_result_value(result);
  return value ? detail::comValueFrom(*value, detail::ValuePlace("the result"), detail::comObjectOf)
               : ComValue();
}

inline std::optional<ComTypeInfo> ComObject::typeInfo() {
  bridge32_com_type_info* info = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_com_object_type_info(handle(), &info, error);
  });
  if (!info) return std::nullopt;
  std::unique_ptr<bridge32_com_type_info, void(BRIDGE32_CALL*)(bridge32_com_type_info*)> owned(
      info, bridge32_com_type_info_free);
  auto text = [&](const char* data, size_t length) { return detail::stringFrom(data, length); };
  ComTypeInfo type;
  size_t length = 0;
  const char* name = bridge32_com_type_info_name(info, &length);
  type.name = text(name, length);
  const char* guid = bridge32_com_type_info_guid(info, &length);
  type.guid = text(guid, length);
  const char* description = bridge32_com_type_info_description(info, &length);
  type.description = text(description, length);
  size_t members = bridge32_com_type_info_member_count(info);
  for (size_t m = 0; m < members; ++m) {
    bridge32_com_member_info c{};
    if (bridge32_com_type_info_member(info, m, &c) != BRIDGE32_OK) continue;
    ComMemberInfo member;
    member.name = text(c.name, c.name_length);
    member.id = c.id;
    member.kind = ComMemberInfo::Kind(c.kind);
    member.type = text(c.type, c.type_length);
    member.varargs = c.varargs != 0;
    member.description = text(c.description, c.description_length);
    for (size_t p = 0; p < c.parameter_count; ++p) {
      bridge32_com_parameter_info parameter{};
      if (bridge32_com_type_info_parameter(info, m, p, &parameter) != BRIDGE32_OK) continue;
      member.parameters.push_back({text(parameter.name, parameter.name_length),
                                   text(parameter.type, parameter.type_length),
                                   parameter.optional != 0, parameter.output != 0});
    }
    type.members.push_back(std::move(member));
  }
  return type;
}

inline std::unique_ptr<ComConnection> ComObject::connect(ComEventHandler handler) {
  auto held = std::make_unique<ComEventHandler>(std::move(handler));
  bridge32_com_event_fn deliver = [](void* context, const char* event, size_t length,
                                     const bridge32_com_value* arguments, size_t count) {
    detail::unthrowing([&] {
      (*static_cast<ComEventHandler*>(context))(std::string_view(event, length),
                                                detail::comValuesFrom(arguments, count, "event argument",
                                                                      detail::comObjectOf));
    });
  };
  bridge32_com_connection* connection = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_com_object_connect(handle(), deliver, held.get(), &connection, error);
  });
  return std::make_unique<ComConnection>(connection, std::move(held));
}

inline std::shared_ptr<ComReference> makeComObject(ComHandler handler) {
  auto held = std::make_unique<ComHandler>(std::move(handler));
  bridge32_com_handler_fn answer = [](void* context, const char* member, size_t length,
                                      bridge32_com_call_kind kind,
                                      const bridge32_com_value* arguments, size_t count,
                                      bridge32_com_answer* answer,
                                      bridge32_error** error) -> bridge32_status {
    try {
      std::vector<ComValue> values =
          detail::comValuesFrom(arguments, count, "argument", detail::comObjectOf);
      ComValue result = (*static_cast<ComHandler*>(context))(std::string_view(member, length),
                                                            ComCallKind(kind), values);
      detail::CComValues converted;
      return bridge32_com_answer_set(answer, converted.add(result), error);
    } catch (...) {
      return detail::failWithCurrentException(error);
    }
  };
  bridge32_release_fn release = [](void* context) { delete static_cast<ComHandler*>(context); };
  bridge32_com_object* object = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_com_make_object(answer, held.get(), release, &object, error);
  });
  held.release();  // the object's now: `release` frees it
  return std::make_shared<detail::HostComObject>(object);
}

}  // namespace bridge32
