// How the surrogate answers a call: the work runs on the module thread, the answer is written on
// the serving thread, and it goes out after everything the modules said before it.
#pragma once

#include <kj/async.h>

#include "core/host-outbox.h"
#include "core/module-thread.h"
#include "wire.h"

namespace bridge32 {

// Answers `context` with what `work` comes to on the module thread: `fill(results, value)` runs
// on the serving thread, or the error `work` threw is the answer. The answer goes once the
// outbox has sent everything the modules said before it.
template <typename Context, typename Work, typename Fill>
kj::Promise<void> answer(ModuleThread& thread, HostOutbox& outbox, Context context, Work&& work,
                         Fill&& fill) {
  return thread.run(kj::fwd<Work>(work))
      .then([&outbox, context, fill = kj::fwd<Fill>(fill)](auto&& outcome) mutable {
        auto results = context.getResults();
        if (outcome.error) {
          setError(results.initError(), *outcome.error);
        } else {
          fill(results, *outcome.value);
        }
        return outbox.flushed();
      });
}

// The `fill` of a call that answers nothing but success.
constexpr auto kNoResults = [](auto&, Done&) {};

}  // namespace bridge32
