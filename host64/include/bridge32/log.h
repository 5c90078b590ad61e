// Where bridge32's log records go. By default nowhere: bridge32 writes nothing to the
// application's console and touches none of its spdlog loggers. An application that wants them
// (a surrogate killed as hung and why, what a surrogate wrote to stderr, a module's refusals)
// gives a handler.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "bridge32/bridge32.h"
#include "bridge32/types.h"

namespace bridge32 {

struct LogRecord {
  LogLevel level;
  // "bridge32" (the host library), "surrogate" (what a surrogate said or wrote to stderr), or
  // "plugin" (a plugin's log lines that no HostCallbacks took).
  std::string_view source;
  std::string_view message;  // UTF-8; from a surrogate, with control characters made visible
};

using LogHandler = std::function<void(const LogRecord& record)>;

// [any-thread] Records at `minimum` and above go to `handler` from now on (an empty handler: to
// nowhere again). It is called on the thread that logs, one of bridge32's or the application's
// own, maybe several at once: it must be quick, thread-safe, and must not call into bridge32.
// What it throws goes no further.
inline void setLogHandler(LogHandler handler, LogLevel minimum = LogLevel::info) {
  static_assert(int(LogLevel::critical) == BRIDGE32_LOG_CRITICAL);
  auto level = bridge32_log_level(minimum);
  if (!handler) {
    bridge32_set_log_handler(nullptr, nullptr, nullptr, level);
    return;
  }
  // The handler's until bridge32 lets go of it (records in flight may still use the one replaced).
  auto held = std::make_unique<LogHandler>(std::move(handler));
  bridge32_log_fn log = [](void* context, bridge32_log_level level, const char* source,
                           size_t sourceLength, const char* message, size_t messageLength) {
    try {
      (*static_cast<LogHandler*>(context))(LogRecord{LogLevel(level),
                                                     std::string_view(source, sourceLength),
                                                     std::string_view(message, messageLength)});
    } catch (...) {
    }
  };
  bridge32_release_fn release = [](void* context) { delete static_cast<LogHandler*>(context); };
  bridge32_set_log_handler(log, held.release(), release, level);
}

}  // namespace bridge32
