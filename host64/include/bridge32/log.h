// Where bridge32's log records go. By default nowhere: bridge32 writes nothing to the
// application's console and touches none of its spdlog loggers. An application that wants them
// (a surrogate killed as hung and why, what a surrogate wrote to stderr, a module's refusals)
// gives a handler.
#pragma once

#include <functional>
#include <string_view>

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
void setLogHandler(LogHandler handler, LogLevel minimum = LogLevel::info);

}  // namespace bridge32
