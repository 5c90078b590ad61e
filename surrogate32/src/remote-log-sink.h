// An spdlog sink that sends the surrogate's log records to the host's LogSink.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <thread>

#include "bridge32.capnp.h"
#include "wire.h"

namespace bridge32 {

// Records written on the serving thread go out at once; records from other threads are
// handed to the serving thread through its kj executor.
class RemoteLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RemoteLogSink(wire::LogSink::Client sink)
      : sink_(kj::mv(sink)),
        executor_(kj::getCurrentThreadExecutor()),
        servingThread_(std::this_thread::get_id()) {}
  // A capability's destructor may throw in kj; the base class's may not.
  ~RemoteLogSink() noexcept override {}

 protected:
  void sink_it_(const spdlog::details::log_msg& record) override {
    std::string logger(record.logger_name.begin(), record.logger_name.end());
    std::string message(record.payload.begin(), record.payload.end());
    auto level = static_cast<LogLevel>(std::min<int>(record.level, int(LogLevel::critical)));
    auto send = [&] {
      auto request = sink_.writeRequest();
      auto out = request.initRecord();
      out.setLevel(toWire(level));
      out.setLogger(logger);
      out.setMessage(message);
      request.send().detach([](kj::Exception&&) {});
    };
    if (std::this_thread::get_id() == servingThread_) {
      send();
    } else {
      executor_.executeSync(send);
    }
  }

  void flush_() override {}

 private:
  wire::LogSink::Client sink_;
  const kj::Executor& executor_;
  std::thread::id servingThread_;
};

}  // namespace bridge32
