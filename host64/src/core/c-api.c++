// The C API's common part (include/bridge32/bridge32.h): errors, the log, load options, call
// deadlines and Values; each kind's functions are in its own c-api.c++.
#include "core/c-api.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>

#include "bridge32/log.h"

namespace bridge32::c_api {

bridge32_status statusOf(Error::Kind kind) { return bridge32_status(int(kind) + 1); }

Error::Kind kindOf(bridge32_status status) {
  return status > BRIDGE32_OK && status <= BRIDGE32_TIMEOUT ? Error::Kind(int(status) - 1)
                                                            : Error::Kind::failed;
}

Error returnedStatus(const std::string& who, bridge32_status status) {
  return Error(kindOf(status), who + " returned status " + std::to_string(int(status)) + " (" +
                                   bridge32_status_name(status) + ")");
}

bridge32_status fail(bridge32_error** error, const Error& failure) noexcept {
  bridge32_status status = statusOf(failure.kind());
  if (error) *error = new (std::nothrow) bridge32_error{failure};
  return status;
}

bridge32_status fail(bridge32_error** error, std::exception_ptr failure) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& known) {
    return fail(error, known);
  } catch (const std::bad_alloc&) {
    return fail(error, Error(Error::Kind::failed, "out of memory"));
  } catch (const std::exception& other) {
    return fail(error, Error(Error::Kind::failed, other.what()));
  } catch (...) {
    return fail(error, Error(Error::Kind::failed, "an unknown exception"));
  }
}

std::string_view text(const char* data, size_t length, std::string_view what) {
  if (!data) {
    if (length == 0 || length == BRIDGE32_NUL_TERMINATED) return {};
    throw Error(Error::Kind::invalidArgument,
                std::string(what) + " is NULL with a length of " + std::to_string(length));
  }
  return length == BRIDGE32_NUL_TERMINATED ? std::string_view(data) : std::string_view(data, length);
}

std::string_view text(const bridge32_string& string, std::string_view what) {
  return text(string.data, string.length, what);
}

namespace {

// True when the options struct the caller gave (of its struct_size) holds `member`: a caller
// built with an earlier header gives less.
#define BRIDGE32_COVERS(given, member)                                                   \
  ((given).struct_size >=                                                                \
   offsetof(std::remove_cvref_t<decltype(given)>, member) + sizeof((given).member))

std::chrono::milliseconds ms(uint32_t value) { return std::chrono::milliseconds(value); }

}  // namespace

const char* stringOf(const std::string* text, size_t* length) {
  if (length) *length = text ? text->size() : 0;
  return text ? text->c_str() : "";
}

bridge32_architecture toC(Architecture architecture) {
  switch (architecture) {
    case Architecture::x86: return BRIDGE32_ARCH_X86;
    case Architecture::x64: return BRIDGE32_ARCH_X64;
    default: return BRIDGE32_ARCH_UNKNOWN;
  }
}

Architecture fromC(bridge32_architecture architecture) {
  switch (architecture) {
    case BRIDGE32_ARCH_X86: return Architecture::x86;
    case BRIDGE32_ARCH_X64: return Architecture::x64;
    default:
      throw Error(Error::Kind::invalidArgument, "architecture " + std::to_string(int(architecture)) +
                                                    ": expected BRIDGE32_ARCH_X86 or _X64");
  }
}

LoadOptions loadOptions(const bridge32_load_options* given) {
  LoadOptions options;
  if (!given) return options;
  if (given->struct_size < offsetof(bridge32_load_options, isolation)) {
    throw Error(Error::Kind::invalidArgument,
                "load options' struct_size is " + std::to_string(given->struct_size) +
                    ": fill them with bridge32_load_options_init");
  }
  if (BRIDGE32_COVERS(*given, isolation)) {
    switch (given->isolation) {
      case BRIDGE32_ISOLATION_AUTOMATIC: options.isolation = Isolation::automatic; break;
      case BRIDGE32_ISOLATION_IN_PROCESS: options.isolation = Isolation::inProcess; break;
      case BRIDGE32_ISOLATION_SURROGATE: options.isolation = Isolation::surrogate; break;
      default:
        throw Error(Error::Kind::invalidArgument,
                    "load options' isolation is " + std::to_string(int(given->isolation)) +
                        ": expected a bridge32_isolation");
    }
  }
  if (BRIDGE32_COVERS(*given, surrogate_directory_length)) {
    options.surrogateDirectory = pathFromUtf8(text(
        given->surrogate_directory, given->surrogate_directory_length, "surrogate_directory"));
  }
  if (BRIDGE32_COVERS(*given, start_timeout_ms)) options.startTimeout = ms(given->start_timeout_ms);
  if (BRIDGE32_COVERS(*given, call_timeout_ms)) options.callTimeout = ms(given->call_timeout_ms);
  if (BRIDGE32_COVERS(*given, on_hang)) {
    if (given->on_hang != BRIDGE32_HANG_KILL && given->on_hang != BRIDGE32_HANG_KEEP_RUNNING) {
      throw Error(Error::Kind::invalidArgument,
                  "load options' on_hang is " + std::to_string(int(given->on_hang)) +
                      ": expected a bridge32_hang_policy");
    }
    options.onHang = given->on_hang == BRIDGE32_HANG_KILL ? HangPolicy::kill : HangPolicy::keepRunning;
  }
  if (BRIDGE32_COVERS(*given, heartbeat_interval_ms)) {
    options.heartbeatInterval = ms(given->heartbeat_interval_ms);
  }
  if (BRIDGE32_COVERS(*given, heartbeat_timeout_ms)) {
    options.heartbeatTimeout = ms(given->heartbeat_timeout_ms);
  }
  if (BRIDGE32_COVERS(*given, restart)) {
    options.restart.automatic = given->restart.automatic != 0;
    options.restart.maxAttempts = given->restart.max_attempts;
    options.restart.firstDelay = ms(given->restart.first_delay_ms);
    options.restart.maxDelay = ms(given->restart.max_delay_ms);
    options.restart.stableAfter = ms(given->restart.stable_after_ms);
  }
  if (BRIDGE32_COVERS(*given, sandbox)) options.sandbox = given->sandbox != 0;
  if (BRIDGE32_COVERS(*given, surrogate) && given->surrogate) {
    options.surrogate = given->surrogate->surrogate;
  }
  if (BRIDGE32_COVERS(*given, environment_count) && given->environment) {
    std::vector<std::string> environment;
    for (size_t i = 0; i < given->environment_count; ++i) {
      std::string entry(text(given->environment[i], "environment"));
      if (entry.find('=') == std::string::npos) {
        throw Error(Error::Kind::invalidArgument,
                    "environment entry " + std::to_string(i + 1) + " is '" + entry +
                        "': expected NAME=VALUE");
      }
      environment.push_back(std::move(entry));
    }
    options.environment = std::move(environment);
  }
  return options;
}

Value toValue(const bridge32_value& value, const std::string& what) {
  switch (value.kind) {
    case BRIDGE32_VALUE_NULL: return Value();
    case BRIDGE32_VALUE_BOOL: return Value(value.as.boolean != 0);
    case BRIDGE32_VALUE_INT: return Value(value.as.i64);
    case BRIDGE32_VALUE_UINT: return Value(value.as.u64);
    case BRIDGE32_VALUE_DOUBLE: return Value(value.as.f64);
    case BRIDGE32_VALUE_STRING:
      return Value(std::string(text(value.as.string, what)));
    case BRIDGE32_VALUE_ARRAY: {
      if (!value.as.array.items && value.as.array.count != 0) {
        throw Error(Error::Kind::invalidArgument,
                    what + " is an array of " + std::to_string(value.as.array.count) +
                        " values at NULL");
      }
      std::vector<Value> items;
      items.reserve(value.as.array.count);
      for (size_t i = 0; i < value.as.array.count; ++i) {
        items.push_back(toValue(value.as.array.items[i], what + "[" + std::to_string(i) + "]"));
      }
      return Value(std::move(items));
    }
    case BRIDGE32_VALUE_STRUCT: {
      if (!value.as.structure.fields && value.as.structure.count != 0) {
        throw Error(Error::Kind::invalidArgument,
                    what + " is a struct of " + std::to_string(value.as.structure.count) +
                        " fields at NULL");
      }
      std::vector<Value::Field> fields;
      fields.reserve(value.as.structure.count);
      for (size_t i = 0; i < value.as.structure.count; ++i) {
        const bridge32_field& field = value.as.structure.fields[i];
        std::string name(text(field.name, field.name ? field.name_length : 0, what + " field name"));
        std::string inner = what + (name.empty() ? "[" + std::to_string(i) + "]" : "." + name);
        fields.push_back({std::move(name), toValue(field.value, inner)});
      }
      return Value(std::move(fields));
    }
    case BRIDGE32_VALUE_HANDLE: {
      if (value.type > BRIDGE32_HANDLE_HOST_KERNEL) {
        throw Error(Error::Kind::invalidArgument, what + " is a handle of kind " +
                                                      std::to_string(value.type) +
                                                      ": expected a bridge32_handle_kind");
      }
      Value::Handle handle(value.as.handle.value, Value::HandleKind(value.type));
      if (value.as.handle.text) {
        handle.text = std::make_shared<const std::string>(
            text(value.as.handle.text, value.as.handle.text_length, what));
      }
      return Value(std::move(handle));
    }
    case BRIDGE32_VALUE_NUMBERS: {
      if (value.type > BRIDGE32_FLOAT64) {
        throw Error(Error::Kind::invalidArgument, what + " holds numbers of type " +
                                                      std::to_string(value.type) +
                                                      ": expected a bridge32_element_type");
      }
      auto type = ElementType(value.type);
      size_t size = elementSize(type);
      size_t count = value.as.numbers.count;
      if (count > SIZE_MAX / size) {
        throw Error(Error::Kind::invalidArgument,
                    what + " holds " + std::to_string(count) + " numbers: more than memory has");
      }
      if (!value.as.numbers.data && count != 0) {
        throw Error(Error::Kind::invalidArgument,
                    what + " holds " + std::to_string(count) + " numbers at NULL");
      }
      if (reinterpret_cast<uintptr_t>(value.as.numbers.data) % size != 0) {
        throw Error(Error::Kind::invalidArgument,
                    what + " holds " + std::string(toString(type)) + " numbers at an address "
                    "not aligned for them");
      }
      // A view: the caller's memory lives through the call (a bridge32_buffer's is read there).
      std::span bytes(static_cast<const std::byte*>(value.as.numbers.data), count * size);
      return Value(std::make_shared<const Value::TypedArray>(type, bytes, nullptr));
    }
  }
  throw Error(Error::Kind::invalidArgument, what + " is of kind " + std::to_string(int(value.kind)) +
                                                ": expected a bridge32_value_kind");
}

const bridge32_value* CValues::add(const Value& value) {
  fill(single_.emplace_back(), value);
  return &single_.back();
}

const bridge32_value* CValues::addAll(std::span<const Value> values) {
  auto& converted = arrays_.emplace_back(values.size());
  for (size_t i = 0; i < values.size(); ++i) fill(converted[i], values[i]);
  return converted.data();
}

void CValues::fill(bridge32_value& out, const Value& value) {
  std::memset(&out, 0, sizeof out);
  if (value.isTypedArray()) {
    const auto& numbers = *value.asTypedArray();
    out.kind = BRIDGE32_VALUE_NUMBERS;
    out.type = uint32_t(numbers.type());
    out.as.numbers.data = numbers.bytes().data();
    out.as.numbers.count = numbers.size();
    return;
  }
  switch (value.kind()) {
    case Value::Kind::null: out.kind = BRIDGE32_VALUE_NULL; return;
    case Value::Kind::boolean:
      out.kind = BRIDGE32_VALUE_BOOL;
      out.as.boolean = value.asBool();
      return;
    case Value::Kind::signedInteger:
      out.kind = BRIDGE32_VALUE_INT;
      out.as.i64 = value.asInt64();
      return;
    case Value::Kind::unsignedInteger:
      out.kind = BRIDGE32_VALUE_UINT;
      out.as.u64 = value.asUint64();
      return;
    case Value::Kind::floating:
      out.kind = BRIDGE32_VALUE_DOUBLE;
      out.as.f64 = value.asDouble();
      return;
    case Value::Kind::string:
      out.kind = BRIDGE32_VALUE_STRING;
      out.as.string.data = value.asString().c_str();
      out.as.string.length = value.asString().size();
      return;
    case Value::Kind::array: {
      const auto& items = value.asArray();
      auto& converted = arrays_.emplace_back(items.size());
      for (size_t i = 0; i < items.size(); ++i) fill(converted[i], items[i]);
      out.kind = BRIDGE32_VALUE_ARRAY;
      out.as.array.items = converted.data();
      out.as.array.count = converted.size();
      return;
    }
    case Value::Kind::structure: {
      const auto& fields = value.asStruct();
      auto& converted = structs_.emplace_back(fields.size());
      for (size_t i = 0; i < fields.size(); ++i) {
        converted[i].name = fields[i].name.c_str();
        converted[i].name_length = fields[i].name.size();
        fill(converted[i].value, fields[i].value);
      }
      out.kind = BRIDGE32_VALUE_STRUCT;
      out.as.structure.fields = converted.data();
      out.as.structure.count = converted.size();
      return;
    }
    case Value::Kind::handle: {
      // asHandle() gives a copy: the text it shares lives in `value`.
      Value::Handle handle = value.asHandle();
      out.kind = BRIDGE32_VALUE_HANDLE;
      out.type = uint32_t(handle.kind);
      out.as.handle.value = handle.value;
      if (handle.text) {
        out.as.handle.text = handle.text->c_str();
        out.as.handle.text_length = handle.text->size();
      }
      return;
    }
  }
}

}  // namespace bridge32::c_api

using namespace bridge32;
using namespace bridge32::c_api;

struct bridge32_deadline {
  CallDeadline scope;
};

extern "C" {

uint32_t BRIDGE32_CALL bridge32_api_version(void) { return BRIDGE32_API_VERSION; }

bridge32_status BRIDGE32_CALL bridge32_error_kind(const bridge32_error* error) {
  return error ? statusOf(error->error.kind()) : BRIDGE32_OK;
}

const char* BRIDGE32_CALL bridge32_error_message(const bridge32_error* error, size_t* length) {
  if (!error) {
    if (length) *length = 0;
    return "";
  }
  if (length) *length = error->error.message().size();
  return error->error.message().c_str();
}

int32_t BRIDGE32_CALL bridge32_error_is_remote(const bridge32_error* error) {
  return error && error->error.isRemote();
}

int32_t BRIDGE32_CALL bridge32_error_com(const bridge32_error* error, bridge32_com_failure* failure) {
  const Error::ComFailure* com = error ? error->error.com() : nullptr;
  if (!com) return 0;
  if (failure) {
    failure->hresult = com->hresult;
    failure->code = com->code;
    failure->source = com->source.c_str();
    failure->source_length = com->source.size();
    failure->description = com->description.c_str();
    failure->description_length = com->description.size();
  }
  return 1;
}

void BRIDGE32_CALL bridge32_error_free(bridge32_error* error) { delete error; }

const char* BRIDGE32_CALL bridge32_status_name(bridge32_status status) {
  if (status == BRIDGE32_OK) return "ok";
  if (status < BRIDGE32_FAILED || status > BRIDGE32_TIMEOUT) return "unknown status";
  // toString's views are of literals: NUL-terminated.
  return toString(kindOf(status)).data();
}

void BRIDGE32_CALL bridge32_set_log_handler(bridge32_log_fn handler, void* context,
                                            bridge32_log_level minimum) {
  auto level = LogLevel(std::clamp(int(minimum), int(LogLevel::trace), int(LogLevel::critical)));
  if (!handler) {
    setLogHandler(nullptr, level);
    return;
  }
  setLogHandler(
      [handler, context](const LogRecord& record) {
        handler(context, bridge32_log_level(record.level), record.source.data(),
                record.source.size(), record.message.data(), record.message.size());
      },
      level);
}

void BRIDGE32_CALL bridge32_load_options_init(bridge32_load_options* given) {
  if (!given) return;
  LoadOptions defaults;
  std::memset(given, 0, sizeof *given);
  given->struct_size = sizeof *given;
  given->isolation = BRIDGE32_ISOLATION_AUTOMATIC;
  given->start_timeout_ms = uint32_t(defaults.startTimeout.count());
  given->call_timeout_ms = uint32_t(defaults.callTimeout.count());
  given->on_hang = BRIDGE32_HANG_KILL;
  given->heartbeat_interval_ms = uint32_t(defaults.heartbeatInterval.count());
  given->heartbeat_timeout_ms = uint32_t(defaults.heartbeatTimeout.count());
  given->restart.automatic = defaults.restart.automatic;
  given->restart.max_attempts = defaults.restart.maxAttempts;
  given->restart.first_delay_ms = uint32_t(defaults.restart.firstDelay.count());
  given->restart.max_delay_ms = uint32_t(defaults.restart.maxDelay.count());
  given->restart.stable_after_ms = uint32_t(defaults.restart.stableAfter.count());
  given->sandbox = defaults.sandbox;
}

const uint8_t* BRIDGE32_CALL bridge32_bytes_data(const bridge32_bytes* bytes, size_t* size) {
  if (size) *size = bytes ? bytes->bytes.size() : 0;
  return bytes ? reinterpret_cast<const uint8_t*>(bytes->bytes.c_str()) : nullptr;
}

void BRIDGE32_CALL bridge32_bytes_free(bridge32_bytes* bytes) { delete bytes; }

size_t BRIDGE32_CALL bridge32_strings_count(const bridge32_strings* strings) {
  return strings ? strings->strings.size() : 0;
}

const char* BRIDGE32_CALL bridge32_strings_at(const bridge32_strings* strings, size_t index,
                                              size_t* length) {
  if (!strings || index >= strings->strings.size()) {
    if (length) *length = 0;
    return nullptr;
  }
  if (length) *length = strings->strings[index].size();
  return strings->strings[index].c_str();
}

void BRIDGE32_CALL bridge32_strings_free(bridge32_strings* strings) { delete strings; }

bridge32_status BRIDGE32_CALL bridge32_surrogate_start(bridge32_architecture architecture,
                                                       const bridge32_load_options* options,
                                                       bridge32_surrogate** surrogate,
                                                       bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(surrogate, "surrogate");
    out = nullptr;
    out = new bridge32_surrogate{startSurrogate(fromC(architecture), loadOptions(options))};
  });
}

uint32_t BRIDGE32_CALL bridge32_surrogate_pid(const bridge32_surrogate* surrogate) {
  return surrogate && surrogate->surrogate->isRunning() ? surrogate->surrogate->pid() : 0;
}

int32_t BRIDGE32_CALL bridge32_surrogate_is_running(const bridge32_surrogate* surrogate) {
  return surrogate && surrogate->surrogate->isRunning();
}

void BRIDGE32_CALL bridge32_surrogate_free(bridge32_surrogate* surrogate) { delete surrogate; }

bridge32_deadline* BRIDGE32_CALL bridge32_deadline_begin(uint32_t timeout_ms) {
  return new (std::nothrow) bridge32_deadline{CallDeadline(std::chrono::milliseconds(timeout_ms))};
}

void BRIDGE32_CALL bridge32_deadline_end(bridge32_deadline* deadline) { delete deadline; }

}  // extern "C"
