// The host's side of a whole conversation with a surrogate: every question a host asks in a
// plugin's life, asked at once (pipelined), each answer checked by the host's own code. The fuzz
// target holds it against bytes from the fuzzer; record-seeds holds it against the real
// surrogate server, to record what a well-behaved surrogate says.
#pragma once

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <memory>
#include <string>

#include "plugin/callback-target.h"

namespace bridge32::fuzz {

struct Outcome {
  int answered = 0;  // answers the host's checks accepted
  int refused = 0;   // questions that ended in an error: the host's checks, or a broken connection
};

class HostConversation {
 public:
  // Talks over `stream`, the host's end, asking for the Gain plugin of `modulePath`.
  HostConversation(kj::AsyncIoStream& stream, std::string modulePath);

  // Settles once every question has its answer or error. Never fails.
  kj::Promise<Outcome> run();

 private:
  class QuietCallbacks final : public PluginHost {
    void log(LogLevel, std::string_view) override {}
  };

  std::string modulePath_;
  capnp::TwoPartyVatNetwork network_;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc_;
  QuietCallbacks callbacks_;
  std::shared_ptr<CallbackTarget> target_, meterTarget_;
  Outcome outcome_;
};

}  // namespace bridge32::fuzz
