#include "logging.h"

#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <mutex>
#include <string>

namespace bridge32::logging {

namespace {

std::atomic<bool> gSpdlogGone{false};

// The handler, read by every record: replaced under the mutex, called outside it.
class HandlerSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  void set(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::make_shared<Handler>(std::move(handler));
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& record) override {
    std::shared_ptr<Handler> handler;
    {
      std::lock_guard lock(mutex_);
      handler = handler_;
    }
    if (!handler || !*handler) return;
    (*handler)(fromSpdlog(record.level),
               std::string_view(record.logger_name.data(), record.logger_name.size()),
               std::string_view(record.payload.data(), record.payload.size()));
  }
  void flush_() override {}

 private:
  std::mutex mutex_;
  std::shared_ptr<Handler> handler_;
};

// bridge32's loggers, none of them in spdlog's registry (an application's own spdlog set-up is
// its own). Made right after spdlog's registry, so destroyed right before it.
struct Loggers {
  Loggers() {
    spdlog::details::registry::instance();
    for (const char* name : {"bridge32", "surrogate", "plugin"}) {
      auto logger = std::make_shared<spdlog::logger>(name, sink);
      logger->set_level(spdlog::level::off);  // until a handler is set
      all.push_back(std::move(logger));
    }
  }
  ~Loggers() { gSpdlogGone = true; }

  std::shared_ptr<HandlerSink> sink = std::make_shared<HandlerSink>();
  std::vector<std::shared_ptr<spdlog::logger>> all;
};

Loggers& loggers() {
  static Loggers made;
  return made;
}

}  // namespace

void setHandler(Handler handler, LogLevel minimum) {
  Loggers& made = loggers();
  bool any = bool(handler);
  made.sink->set(std::move(handler));
  for (auto& logger : made.all) logger->set_level(any ? toSpdlog(minimum) : spdlog::level::off);
}

std::shared_ptr<spdlog::logger> get(const char* name) {
  Loggers& made = loggers();
  if (gSpdlogGone) return nullptr;
  std::string_view wanted = name ? name : "bridge32";
  for (const auto& logger : made.all) {
    if (logger->name() == wanted) return logger;
  }
  return made.all.front();
}

}  // namespace bridge32::logging
