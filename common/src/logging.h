// bridge32's own log records, through spdlog while spdlog is there.
//
// A bridge32 object may be destroyed after spdlog: an instance held in a static is destroyed at
// exit, after spdlog's registry (statics are destroyed in the reverse order of their
// construction, and the registry is made on first use). Records written through here are
// dropped once the registry is gone, where spdlog's own functions would use a logger that no
// longer exists.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

namespace bridge32::logging {

// [any-thread] The logger named `name` ("surrogate", "plugin"), else the default one; null once
// spdlog is gone.
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
