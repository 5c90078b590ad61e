// The rules a module's bridged calls follow, whatever its kind: the deadline in force, what a
// hang does to the surrogate, and errors that name the module (and the plugin or function).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "bridge32/surrogate.h"
#include "core/call-lane.h"
#include "core/surrogate-client.h"

namespace bridge32 {

// This thread's deadline for bridged calls while it lives (CallDeadline and bridge32_deadline_begin
// are made of these): scopes nest, the innermost wins.
class DeadlineScope {
 public:
  explicit DeadlineScope(std::chrono::milliseconds timeout);
  ~DeadlineScope();
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  std::optional<std::chrono::milliseconds> previous_;  // the enclosing scope's, if any
};

// The innermost DeadlineScope's on this thread, or `fallback` without one.
std::chrono::milliseconds currentDeadline(std::chrono::milliseconds fallback);

// True for the errors after which the surrogate is gone or going: it died (disconnected) or did
// not answer in time (timeout).
bool endsTheSurrogate(const Error& error);

struct CallRules {
  std::filesystem::path modulePath;
  std::chrono::milliseconds timeout;
  HangPolicy onHang;

  // Runs a call on `client` with the deadline in force on this thread (see DeadlineScope). A
  // surrogate that died or hung is reported with `what` (a plugin's name, a function's, or empty
  // for the module itself) and the module it was running.
  template <typename Start, typename Finish>
  auto operator()(SurrogateClient& client, std::string_view what, Start&& start,
                  Finish&& finish) const {
    return described(what, [&] {
      return client.call(start, finish, currentDeadline(timeout), onHang);
    });
  }

  // Runs `call()`, describing a surrogate that died or hung with `what` and the module.
  template <typename Call>
  auto described(std::string_view what, Call&& call) const {
    try {
      return call();
    } catch (const Error& error) {
      if (!endsTheSurrogate(error)) throw;
      throw Error(error.kind(), describe(what) + ": " + error.message());
    }
  }

  // Runs a call through `lane` under the same rules if the lane can be had now: `fill(lane)`
  // writes the request, `read(lane, answer)` takes what it needs from the lane before another
  // call may use it. Returns false, doing nothing, when the lane is null or taken: the call then
  // takes the pipe.
  template <typename Fill, typename Read>
  bool onLane(CallLane* lane, std::string_view what, Fill&& fill, Read&& read) const {
    if (!lane || !lane->tryAcquire()) return false;
    auto release = kj::defer([lane] { lane->release(); });
    fill(*lane);
    read(*lane,
         described(what, [&] { return lane->call(currentDeadline(timeout), onHang); }));
    return true;
  }

  // "module 'path'", or "WHAT of 'path'".
  std::string describe(std::string_view what) const;
};

}  // namespace bridge32
