// Surrogate processes (core/surrogate-process.h), what both platforms share: the child's output
// relayed line by line into the log, and the last lines of its stderr kept. Starting, watching
// and ending the process are in surrogate-process-posix.c++ and surrogate-process-win32.c++.
#include "core/surrogate-process.h"

#include <utility>

#include "logging.h"

namespace bridge32 {

namespace {
constexpr size_t kStderrTailLines = 20;
constexpr size_t kMaxRelayLine = 2000;  // bytes
}  // namespace

void SurrogateProcess::relay(bool isStderr, std::string_view text, std::string& partial) {
  // The surrogate's output is untrusted: lines are cut at kMaxRelayLine (so a stream without
  // newlines cannot grow without bound) and control characters become '?' (so they cannot
  // rewrite the terminal or the log).
  auto emit = [&](std::string_view raw) {
    std::string line(raw);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (char& c : line) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
    }
    if (auto logger = logging::get("surrogate")) {
      logger->log(isStderr ? spdlog::level::warn : spdlog::level::info, "[surrogate {} {}] {}",
                  pid_, isStderr ? "stderr" : "stdout", line);
    }
    if (isStderr) {
      std::lock_guard lock(stderrMutex_);
      stderrTail_.push_back(std::move(line));
      if (stderrTail_.size() > kStderrTailLines) stderrTail_.pop_front();
    }
  };
  partial += text;
  size_t start = 0;
  for (;;) {
    size_t end = partial.find('\n', start);
    if (end != std::string::npos && end - start <= kMaxRelayLine) {
      emit(std::string_view(partial).substr(start, end - start));
      start = end + 1;
    } else if (partial.size() - start >= kMaxRelayLine) {
      emit(std::string_view(partial).substr(start, kMaxRelayLine));
      start += kMaxRelayLine;
    } else {
      break;
    }
  }
  partial.erase(0, start);
  if (text.empty() && !partial.empty()) relay(isStderr, "\n", partial);  // flush at the end
  if (text.empty() && isStderr) {
    std::lock_guard lock(stderrMutex_);
    stderrEnded_ = true;
    stderrEndedChanged_.notify_all();
  }
}

std::string SurrogateProcess::recentStderr(std::chrono::milliseconds waitForEnd) const {
  std::unique_lock lock(stderrMutex_);
  stderrEndedChanged_.wait_for(lock, waitForEnd, [&] { return stderrEnded_; });
  std::string text;
  for (const auto& line : stderrTail_) text += (text.empty() ? "" : "\n") + line;
  return text;
}

}  // namespace bridge32
