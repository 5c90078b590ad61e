// The C API of COM automation objects (include/bridge32/bridge32.h): LoadedComClass,
// LoadedComObject and ComValue behind opaque handles and a tagged C struct.
#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "com/loaded-com.h"
#include "core/c-api.h"

using namespace bridge32;
using namespace bridge32::c_api;

struct bridge32_com_class {
  std::unique_ptr<LoadedComClass> com;
};

struct bridge32_com_object {
  std::shared_ptr<ComReference> reference;  // a LoadedComObject, or an object of this process
};

namespace {

// ComValues as C values, in memory this holds, their objects as handles of its own.
class CComValues final : public detail::CComValues {
 private:
  bridge32_com_object* handleOf(const std::shared_ptr<ComReference>& object) override {
    return &objects_.emplace_back(bridge32_com_object{object});
  }
  std::deque<bridge32_com_object> objects_;
};

// What the handle of an object in a C caller's values stands for.
std::shared_ptr<ComReference> referenceOf(bridge32_com_object* object) {
  return object->reference;
}

// A C caller's values as ComValues, copied whole (a bridged object may keep what it is given, to
// replay a put in a surrogate that replaces its own). Throws Error(invalidArgument) naming
// `what`.
std::vector<ComValue> toComValues(const bridge32_com_value* values, size_t count,
                                  std::string_view what) {
  return detail::comValuesFrom(values, count, what, referenceOf);
}

ComValue toComValue(const bridge32_com_value& value, std::string_view what) {
  return detail::comValueFrom(value, detail::ValuePlace(what), referenceOf);
}

// The bridged object `object` is; an object of this process cannot be called from here.
LoadedComObject& bridged(bridge32_com_object* object) {
  auto* com = dynamic_cast<LoadedComObject*>(required(object, "object").reference.get());
  if (!com) {
    throw Error(Error::Kind::invalidArgument,
                "the object is one of this process (bridge32_com_make_object): bridged objects "
                "call it, not this process");
  }
  return *com;
}


}  // namespace

struct bridge32_com_result {
  ComValue value;
  CComValues values;  // of `value`
  const bridge32_com_value* root = nullptr;

  explicit bridge32_com_result(ComValue given) : value(std::move(given)) { root = values.add(value); }
};

struct bridge32_com_connection {
  std::unique_ptr<LoadedComConnection> connection;
};

struct bridge32_com_type_info {
  ComTypeInfo info;
};

struct bridge32_com_answer {
  ComValue value;
};

extern "C" {

bridge32_status BRIDGE32_CALL bridge32_com_class_load(const char* name, size_t name_length,
                                                      bridge32_architecture architecture,
                                                      const bridge32_load_options* options,
                                                      bridge32_com_class** com_class,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    LoadOptions given = loadOptions(options);  // first: its events are released however it ends
    auto& out = required(com_class, "com_class");
    out = nullptr;
    out = new bridge32_com_class{LoadedComClass::load(
        text(name, name_length, "the class's name"), fromC(architecture), std::move(given))};
  });
}

void BRIDGE32_CALL bridge32_com_class_free(bridge32_com_class* com_class) { delete com_class; }

const char* BRIDGE32_CALL bridge32_com_class_clsid(const bridge32_com_class* com_class,
                                                   size_t* length) {
  return stringOf(com_class ? &com_class->com->clsid() : nullptr, length);
}
const char* BRIDGE32_CALL bridge32_com_class_prog_id(const bridge32_com_class* com_class,
                                                     size_t* length) {
  return stringOf(com_class ? &com_class->com->progId() : nullptr, length);
}
const char* BRIDGE32_CALL bridge32_com_class_server(const bridge32_com_class* com_class,
                                                    size_t* length) {
  return stringOf(com_class ? &com_class->com->server() : nullptr, length);
}
const char* BRIDGE32_CALL bridge32_com_class_threading_model(const bridge32_com_class* com_class,
                                                             size_t* length) {
  return stringOf(com_class ? &com_class->com->threadingModel() : nullptr, length);
}
uint32_t BRIDGE32_CALL bridge32_com_class_surrogate_pid(const bridge32_com_class* com_class) {
  return com_class ? com_class->com->surrogatePid() : 0;
}

int32_t BRIDGE32_CALL bridge32_com_class_loaded_server(const bridge32_com_class* com_class,
                                                       bridge32_bytes** path,
                                                       bridge32_architecture* architecture) {
  if (path) *path = nullptr;
  auto server = com_class ? com_class->com->loadedServer() : std::nullopt;
  if (!server) return 0;
  try {
    if (path) *path = new bridge32_bytes{utf8(server->path)};
  } catch (...) {
    return 0;
  }
  if (architecture) *architecture = toC(server->architecture);
  return 1;
}

bridge32_status BRIDGE32_CALL bridge32_com_class_create(bridge32_com_class* com_class,
                                                        bridge32_com_object** object,
                                                        bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(object, "object");
    out = nullptr;
    std::shared_ptr<ComReference> made = required(com_class, "com_class").com->create();
    out = new bridge32_com_object{std::move(made)};
  });
}

bridge32_com_object* BRIDGE32_CALL bridge32_com_object_duplicate(const bridge32_com_object* object) {
  return object ? new (std::nothrow) bridge32_com_object{object->reference} : nullptr;
}

void BRIDGE32_CALL bridge32_com_object_free(bridge32_com_object* object) { delete object; }

bridge32_status BRIDGE32_CALL bridge32_com_object_get(bridge32_com_object* object, const char* name,
                                                      size_t name_length,
                                                      const bridge32_com_value* arguments,
                                                      size_t argument_count,
                                                      bridge32_com_result** result,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(result, "result");
    out = nullptr;
    LoadedComObject& com = bridged(object);
    ComValue got = com.get(text(name, name_length, "the property's name"),
                           toComValues(arguments, argument_count, "argument"));
    out = new bridge32_com_result(std::move(got));
  });
}

bridge32_status BRIDGE32_CALL bridge32_com_object_put(bridge32_com_object* object, const char* name,
                                                      size_t name_length,
                                                      const bridge32_com_value* value,
                                                      const bridge32_com_value* arguments,
                                                      size_t argument_count,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    LoadedComObject& com = bridged(object);
    com.put(text(name, name_length, "the property's name"),
            toComValue(required(value, "value"), "the value"),
            toComValues(arguments, argument_count, "argument"));
  });
}

bridge32_status BRIDGE32_CALL bridge32_com_object_call(
    bridge32_com_object* object, const char* name, size_t name_length,
    const bridge32_com_value* arguments, size_t argument_count,
    const bridge32_com_named_argument* named, size_t named_count, bridge32_com_result** result,
    bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(result, "result");
    out = nullptr;
    LoadedComObject& com = bridged(object);
    if (!named && named_count != 0) throw Error(Error::Kind::invalidArgument, "named is NULL");
    std::vector<ComNamedArgument> names;
    for (size_t i = 0; i < named_count; ++i) {
      std::string argument(text(named[i].name, named[i].name_length, "a named argument's name"));
      ComValue value = toComValue(named[i].value, "named argument '" + argument + "'");
      names.push_back({std::move(argument), std::move(value)});
    }
    ComValue answer = com.call(text(name, name_length, "the method's name"),
                               toComValues(arguments, argument_count, "argument"), std::move(names));
    out = new bridge32_com_result(std::move(answer));
  });
}

bridge32_status BRIDGE32_CALL bridge32_com_object_items(bridge32_com_object* object,
                                                        bridge32_com_result** items,
                                                        bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(items, "items");
    out = nullptr;
    out = new bridge32_com_result(ComValue(bridged(object).items()));
  });
}

const bridge32_com_value* BRIDGE32_CALL bridge32_com_result_value(const bridge32_com_result* result) {
  return result ? result->root : nullptr;
}

void BRIDGE32_CALL bridge32_com_result_free(bridge32_com_result* result) { delete result; }

bridge32_status BRIDGE32_CALL bridge32_com_object_connect(bridge32_com_object* object,
                                                          bridge32_com_event_fn handler,
                                                          void* context,
                                                          bridge32_com_connection** connection,
                                                          bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(connection, "connection");
    out = nullptr;
    if (!handler) throw Error(Error::Kind::invalidArgument, "handler is NULL");
    auto made = bridged(object).connect(
        [handler, context](std::string_view event, const std::vector<ComValue>& arguments) {
          CComValues converted;
          const bridge32_com_value* items = converted.addAll(arguments);
          std::string name(event);
          handler(context, name.c_str(), name.size(), items, arguments.size());
        });
    out = new bridge32_com_connection{std::move(made)};
  });
}

const char* BRIDGE32_CALL bridge32_com_connection_events(const bridge32_com_connection* connection,
                                                         size_t* length) {
  return stringOf(connection ? &connection->connection->events() : nullptr, length);
}

void BRIDGE32_CALL bridge32_com_connection_free(bridge32_com_connection* connection) {
  delete connection;
}

bridge32_status BRIDGE32_CALL bridge32_com_answer_set(bridge32_com_answer* answer,
                                                      const bridge32_com_value* value,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    required(answer, "answer").value = toComValue(required(value, "value"), "the answer");
  });
}

bridge32_status BRIDGE32_CALL bridge32_com_make_object(bridge32_com_handler_fn handler,
                                                       void* context,
                                                       bridge32_release_fn release,
                                                       bridge32_com_object** object,
                                                       bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(object, "object");
    out = nullptr;
    if (!handler) throw Error(Error::Kind::invalidArgument, "handler is NULL");
    auto held = std::make_shared<CallerContext>(context, release);
    auto made = makeHostComObject([handler, held](std::string_view member, ComCallKind kind,
                                                  std::vector<ComValue>& arguments) {
      CComValues converted;
      const bridge32_com_value* items = converted.addAll(arguments);
      bridge32_com_answer answer;
      std::string name(member);
      bridge32_error* failure = nullptr;
      bridge32_status status =
          handler(held->get(), name.c_str(), name.size(), bridge32_com_call_kind(kind), items,
                  arguments.size(), &answer, &failure);
      std::unique_ptr<bridge32_error, void (*)(bridge32_error*)> owned(failure, bridge32_error_free);
      if (status != BRIDGE32_OK) {
        if (failure) throw failure->error;  // its own words, which become the description
        throw returnedStatus("the handler of '" + name + "'", status);
      }
      return std::move(answer.value);
    });
    out = new bridge32_com_object{std::move(made)};
    held->arm();
  });
}

bridge32_status BRIDGE32_CALL bridge32_com_object_type_info(bridge32_com_object* object,
                                                            bridge32_com_type_info** info,
                                                            bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(info, "info");
    out = nullptr;
    if (auto found = bridged(object).typeInfo()) out = new bridge32_com_type_info{std::move(*found)};
  });
}

const char* BRIDGE32_CALL bridge32_com_type_info_name(const bridge32_com_type_info* info,
                                                      size_t* length) {
  return stringOf(info ? &info->info.name : nullptr, length);
}

const char* BRIDGE32_CALL bridge32_com_type_info_guid(const bridge32_com_type_info* info,
                                                      size_t* length) {
  return stringOf(info ? &info->info.guid : nullptr, length);
}

const char* BRIDGE32_CALL bridge32_com_type_info_description(const bridge32_com_type_info* info,
                                                             size_t* length) {
  return stringOf(info ? &info->info.description : nullptr, length);
}

size_t BRIDGE32_CALL bridge32_com_type_info_member_count(const bridge32_com_type_info* info) {
  return info ? info->info.members.size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_com_type_info_member(const bridge32_com_type_info* info,
                                                            size_t index,
                                                            bridge32_com_member_info* member) {
  if (!info || !member) return BRIDGE32_INVALID_ARGUMENT;
  if (index >= info->info.members.size()) return BRIDGE32_NOT_FOUND;
  const ComMemberInfo& found = info->info.members[index];
  *member = bridge32_com_member_info{found.name.c_str(),
                                     found.name.size(),
                                     found.id,
                                     bridge32_com_member_kind(found.kind),
                                     found.type.c_str(),
                                     found.type.size(),
                                     found.parameters.size(),
                                     found.varargs,
                                     found.description.c_str(),
                                     found.description.size()};
  return BRIDGE32_OK;
}

bridge32_status BRIDGE32_CALL bridge32_com_type_info_parameter(const bridge32_com_type_info* info,
                                                               size_t member, size_t index,
                                                               bridge32_com_parameter_info* parameter) {
  if (!info || !parameter) return BRIDGE32_INVALID_ARGUMENT;
  if (member >= info->info.members.size()) return BRIDGE32_NOT_FOUND;
  const auto& parameters = info->info.members[member].parameters;
  if (index >= parameters.size()) return BRIDGE32_NOT_FOUND;
  const ComParameterInfo& found = parameters[index];
  *parameter = bridge32_com_parameter_info{found.name.c_str(), found.name.size(),
                                           found.type.c_str(), found.type.size(),
                                           found.optional,     found.output};
  return BRIDGE32_OK;
}

void BRIDGE32_CALL bridge32_com_type_info_free(bridge32_com_type_info* info) { delete info; }

}  // extern "C"
