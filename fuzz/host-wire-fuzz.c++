// libFuzzer target: the bytes a surrogate sends to its host. Whatever they are (malformed,
// truncated or oversized messages, unknown or out-of-range ids, answers to questions never
// asked, calls to capabilities that do not exist) the host must refuse them with an error and
// carry on: no crash, no hang, no leak, no undefined behaviour (built with ASan and UBSan).
//
// The host asks what it asks in a plugin's life (HostConversation) while the fuzzer's bytes
// arrive as the surrogate's answers, followed by the surrogate hanging up.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>

#include "host-conversation.h"

namespace {

kj::AsyncIoContext& io() {
  static kj::AsyncIoContext context = [] {
    spdlog::set_level(spdlog::level::off);  // the surrogate's "log records" would flood
    return kj::setupAsyncIo();
  }();
  return context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& context = io();
  auto pipe = context.provider->newTwoWayPipe();
  auto& surrogate = *pipe.ends[1];
  {
    bridge32::fuzz::HostConversation host(*pipe.ends[0], "/plugins/b32-samples.so");
    auto said = surrogate.write(data, size)
                    .then([&] { surrogate.shutdownWrite(); })
                    .eagerlyEvaluate([](kj::Exception&&) {});  // the host may hang up first
    auto heard = surrogate.readAllBytes().ignoreResult().eagerlyEvaluate([](kj::Exception&&) {});
    host.run().wait(context.waitScope);
  }
  return 0;
}
