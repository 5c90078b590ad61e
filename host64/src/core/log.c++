// setLogHandler: the application's handler behind bridge32's loggers (common/src/logging.h).
#include "bridge32/log.h"

#include "logging.h"

namespace bridge32 {

void setLogHandler(LogHandler handler, LogLevel minimum) {
  if (!handler) {
    logging::setHandler(nullptr, minimum);
    return;
  }
  logging::setHandler(
      [handler = std::move(handler)](LogLevel level, std::string_view source,
                                     std::string_view message) {
        handler(LogRecord{level, source, message});
      },
      minimum);
}

}  // namespace bridge32
