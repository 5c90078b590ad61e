// bridge32's own log records: formatted here, then handed to the process's handler, or dropped
// without one. On the host the application chooses the handler (bridge32/log.h): by default
// bridge32 writes nothing to its console and touches none of its spdlog loggers. In a surrogate,
// main() sends them to the host.
//
// A bridge32 object may be destroyed after spdlog: an instance held in a static is destroyed at
// exit, after spdlog's registry (statics are destroyed in the reverse order of their
// construction, and the registry is made on first use). Records written through here are
// dropped once the registry is gone, where spdlog's own functions would use a logger that no
// longer exists.
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>

#include "bridge32/types.h"

namespace bridge32::logging {

// bridge32::LogLevel and spdlog's levels, one to one: the same names in the same order.
static_assert(int(LogLevel::trace) == spdlog::level::trace &&
              int(LogLevel::debug) == spdlog::level::debug &&
              int(LogLevel::info) == spdlog::level::info &&
              int(LogLevel::warn) == spdlog::level::warn &&
              int(LogLevel::error) == spdlog::level::err &&
              int(LogLevel::critical) == spdlog::level::critical);

constexpr spdlog::level::level_enum toSpdlog(LogLevel level) {
  return static_cast<spdlog::level::level_enum>(level);
}
// spdlog's `off`, which no record has, becomes critical.
constexpr LogLevel fromSpdlog(spdlog::level::level_enum level) {
  return static_cast<LogLevel>(std::min<int>(level, int(LogLevel::critical)));
}

// Where records go: `source` is the logger's name ("bridge32", "surrogate", "plugin").
using Handler = std::function<void(LogLevel level, std::string_view source,
                                   std::string_view message)>;
// [any-thread] Records at `minimum` and above go to `handler` from now on; an empty one drops
// them all. The handler runs on the thread that logs.
void setHandler(Handler handler, LogLevel minimum);

// [any-thread] bridge32's logger named `name` ("bridge32" without one), whose records go to the
// handler; null once spdlog is gone.
std::shared_ptr<spdlog::logger> get(const char* name = nullptr);

template <typename... Args>
void write(spdlog::level::level_enum level, spdlog::format_string_t<Args...> format,
           Args&&... args) {
  if (auto logger = get()) logger->log(level, format, std::forward<Args>(args)...);
}

template <typename... Args>
void debug(spdlog::format_string_t<Args...> format, Args&&... args) {
  write(spdlog::level::debug, format, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> format, Args&&... args) {
  write(spdlog::level::info, format, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> format, Args&&... args) {
  write(spdlog::level::warn, format, std::forward<Args>(args)...);
}

}  // namespace bridge32::logging
