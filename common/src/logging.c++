#include "logging.h"

#include <atomic>

namespace bridge32::logging {

namespace {

std::atomic<bool> gSpdlogGone{false};

// Made right after spdlog's registry, so destroyed right before it.
struct SpdlogWatch {
  SpdlogWatch() { spdlog::details::registry::instance(); }
  ~SpdlogWatch() { gSpdlogGone = true; }
};

}  // namespace

std::shared_ptr<spdlog::logger> get(const char* name) {
  static SpdlogWatch watch;
  if (gSpdlogGone) return nullptr;
  std::shared_ptr<spdlog::logger> logger = name ? spdlog::get(name) : nullptr;
  return logger ? logger : spdlog::default_logger();
}

}  // namespace bridge32::logging
