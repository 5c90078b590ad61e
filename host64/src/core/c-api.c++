// The C API's common part (include/bridge32/bridge32.h): errors, the log, load options, call
// deadlines and Values; each kind's functions are in its own c-api.c++.
#include "core/c-api.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>

#include "core/call-rules.h"
#include "core/shared-surrogate.h"
#include "bridge32.capnp.h"
#include "logging.h"
#include "plugin/plugin-host.h"

namespace bridge32::c_api {

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

// `given` as ModuleEvents calling its functions; the last copy's end calls its `release`.
ModuleEvents moduleEvents(const bridge32_module_events& given) {
  bridge32_module_events c = covered(given, "module events", "bridge32_module_events_init");
  std::shared_ptr<void> context(c.context, [release = c.release](void* context) {
    if (release) release(context);
  });
  ModuleEvents events;
  if (c.stopped) {
    events.stopped = [stopped = c.stopped, context](std::string_view why) {
      stopped(context.get(), why.data(), why.size());
    };
  }
  if (c.restarted) {
    events.restarted = [restarted = c.restarted, context] { restarted(context.get()); };
  }
  if (c.restart_failed) {
    events.restartFailed = [failed = c.restart_failed, context](std::string_view why,
                                                                 bool willRetry) {
      failed(context.get(), why.data(), why.size(), willRetry);
    };
  }
  return events;
}

LoadOptions loadOptions(const bridge32_load_options* given) {
  LoadOptions options;
  if (!given) return options;
  if (given->struct_size < offsetof(bridge32_load_options, isolation)) {
    throw Error(Error::Kind::invalidArgument,
                "load options' struct_size is " + std::to_string(given->struct_size) +
                    ": fill them with bridge32_load_options_init");
  }
  // First: whatever follows fails, the events are released.
  if (BRIDGE32_COVERS(*given, events) && given->events) {
    options.events = moduleEvents(*given->events);
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
    options.surrogate = std::make_shared<SharedSurrogate>(new bridge32_surrogate{*given->surrogate});
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

}  // namespace bridge32::c_api

using namespace bridge32;
using namespace bridge32::c_api;

struct bridge32_deadline {
  DeadlineScope scope;
};

extern "C" {

uint32_t BRIDGE32_CALL bridge32_api_version(void) { return BRIDGE32_API_VERSION; }

uint32_t BRIDGE32_CALL bridge32_protocol_version(void) { return wire::PROTOCOL_VERSION; }

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

bridge32_error* BRIDGE32_CALL bridge32_error_new(bridge32_status status, const char* message,
                                                 size_t length) {
  try {
    std::string text = message ? std::string(length == BRIDGE32_NUL_TERMINATED
                                                 ? std::string_view(message)
                                                 : std::string_view(message, length))
                               : std::string();
    return new bridge32_error{Error(kindOf(status), std::move(text))};
  } catch (...) {
    return nullptr;
  }
}

const char* BRIDGE32_CALL bridge32_status_name(bridge32_status status) {
  if (status == BRIDGE32_OK) return "ok";
  if (status < BRIDGE32_FAILED || status > BRIDGE32_TIMEOUT) return "unknown status";
  // toString's views are of literals: NUL-terminated.
  return toString(kindOf(status)).data();
}

void BRIDGE32_CALL bridge32_set_log_handler(bridge32_log_fn handler, void* context,
                                            bridge32_release_fn release,
                                            bridge32_log_level minimum) {
  auto level = LogLevel(std::clamp(int(minimum), int(LogLevel::trace), int(LogLevel::critical)));
  if (!handler) {
    logging::setHandler(nullptr, level);
    return;
  }
  try {
    auto held = std::make_shared<CallerContext>(context, release);
    logging::setHandler(
        [handler, held](LogLevel level, std::string_view source, std::string_view message) {
          handler(held->get(), bridge32_log_level(level), source.data(), source.size(),
                  message.data(), message.size());
        },
        level);
    held->arm();
  } catch (...) {  // no memory: the handler before stays
  }
}

void BRIDGE32_CALL bridge32_log_plugin_line(bridge32_log_level level, const char* message,
                                            size_t length) {
  try {
    logPluginLine(LogLevel(std::clamp(int(level), 0, int(LogLevel::critical))),
                  validUtf8(text(message, length, "the line")));
  } catch (...) {  // a NULL line of some length, or no memory: nothing to write
  }
}

void BRIDGE32_CALL bridge32_module_events_init(bridge32_module_events* events) {
  if (!events) return;
  *events = bridge32_module_events{};
  events->struct_size = sizeof *events;
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
    LoadOptions given = loadOptions(options);  // first: its events are released however it ends
    auto& out = required(surrogate, "surrogate");
    out = nullptr;
    out = new bridge32_surrogate{startLiveSurrogate(fromC(architecture), given)};
  });
}

uint32_t BRIDGE32_CALL bridge32_surrogate_pid(const bridge32_surrogate* surrogate) {
  if (!surrogate) return 0;
  auto client = surrogate->surrogate->client();
  return client->isLost() ? 0 : client->pid();
}

int32_t BRIDGE32_CALL bridge32_surrogate_is_running(const bridge32_surrogate* surrogate) {
  return surrogate && !surrogate->surrogate->client()->isLost();
}

bridge32_architecture BRIDGE32_CALL bridge32_surrogate_architecture(
    const bridge32_surrogate* surrogate) {
  return surrogate ? toC(surrogate->surrogate->architecture()) : BRIDGE32_ARCH_UNKNOWN;
}

int32_t BRIDGE32_CALL bridge32_surrogate_is_sandboxed(const bridge32_surrogate* surrogate) {
  return surrogate && surrogate->surrogate->isSandboxed();
}

void BRIDGE32_CALL bridge32_surrogate_free(bridge32_surrogate* surrogate) { delete surrogate; }

bridge32_deadline* BRIDGE32_CALL bridge32_deadline_begin(uint32_t timeout_ms) {
  return new (std::nothrow) bridge32_deadline{DeadlineScope(std::chrono::milliseconds(timeout_ms))};
}

void BRIDGE32_CALL bridge32_deadline_end(bridge32_deadline* deadline) { delete deadline; }

uint32_t BRIDGE32_CALL bridge32_deadline_current(uint32_t fallback_ms) {
  return detail::milliseconds(currentDeadline(std::chrono::milliseconds(fallback_ms)));
}

}  // extern "C"
