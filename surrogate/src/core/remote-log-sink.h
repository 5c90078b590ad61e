// The surrogate's own spdlog sink. Its records go to the host through the outbox once the
// handshake gave the host's log sink, and to stderr (which the host relays) before and after.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

#include "core/host-outbox.h"
#include "logging.h"

namespace bridge32 {

class RemoteLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // [any-thread] From now on records go to `outbox`; to stderr again with nullptr.
  void attach(HostOutbox* outbox) {
    std::lock_guard lock(mutex_);
    outbox_ = outbox;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& record) override {
    if (!outbox_) {
      stderr_.log(record);
      return;
    }
    outbox_->log(HostOutbox::kLogSink, logging::fromSpdlog(record.level),
                 std::string_view(record.payload.data(), record.payload.size()),
                 std::string_view(record.logger_name.data(), record.logger_name.size()));
  }

  void flush_() override { stderr_.flush(); }

 private:
  HostOutbox* outbox_ = nullptr;
  spdlog::sinks::stderr_sink_st stderr_;
};

}  // namespace bridge32
