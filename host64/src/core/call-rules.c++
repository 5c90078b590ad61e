#include "core/call-rules.h"

#include <optional>

namespace bridge32 {

namespace {
thread_local std::optional<std::chrono::milliseconds> tCallDeadline;
}  // namespace

DeadlineScope::DeadlineScope(std::chrono::milliseconds timeout) : previous_(tCallDeadline) {
  tCallDeadline = timeout;
}

DeadlineScope::~DeadlineScope() { tCallDeadline = previous_; }

std::chrono::milliseconds currentDeadline(std::chrono::milliseconds fallback) {
  return tCallDeadline.value_or(fallback);
}

std::string CallRules::describe(std::string_view what) const {
  if (what.empty()) return "module '" + utf8(modulePath) + "'";
  return std::string(what) + " of '" + utf8(modulePath) + "'";
}

bool endsTheSurrogate(const Error& error) {
  return error.kind() == Error::Kind::disconnected || error.kind() == Error::Kind::timeout;
}

}  // namespace bridge32
