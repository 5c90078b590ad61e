// Records what a well-behaved surrogate says to its host: HostConversation against the real
// surrogate server (serving a real plugin module in this process), with the server's side of
// the connection tapped. The bytes are the fuzz target's first seed, which takes it past the
// message framing into the answers the host reads.
//
//   bridge32_record_seeds <x64 plugin module (b32-samples)> <corpus directory>
#include <fstream>
#include <iostream>
#include <vector>

#include "host-conversation.h"
#include "core/surrogate-server.h"
#include "wire.h"

namespace {

// Passes everything through, keeping a copy of what is written.
class TappedStream final : public kj::AsyncIoStream {
 public:
  explicit TappedStream(kj::AsyncIoStream& inner) : inner_(inner) {}

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    return inner_.tryRead(buffer, minBytes, maxBytes);
  }
  kj::Promise<void> write(const void* buffer, size_t size) override {
    auto bytes = static_cast<const uint8_t*>(buffer);
    written.insert(written.end(), bytes, bytes + size);
    return inner_.write(buffer, size);
  }
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    for (auto piece : pieces) written.insert(written.end(), piece.begin(), piece.end());
    return inner_.write(pieces);
  }
  kj::Promise<void> whenWriteDisconnected() override { return inner_.whenWriteDisconnected(); }
  void shutdownWrite() override { inner_.shutdownWrite(); }
  void abortRead() override { inner_.abortRead(); }

  std::vector<uint8_t> written;

 private:
  kj::AsyncIoStream& inner_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " <x64 plugin module> <corpus directory>\n";
    return 2;
  }
  auto io = kj::setupAsyncIo();
  auto pipe = io.provider->newTwoWayPipe();
  TappedStream tap(*pipe.ends[1]);
  capnp::TwoPartyVatNetwork surrogateNetwork(tap, capnp::rpc::twoparty::Side::SERVER,
                                             bridge32::readerOptions());
  // Plugins run on this thread too.
  bridge32::ModuleThread plugins(kj::getCurrentThreadExecutor());
  bridge32::HostOutbox outbox;
  auto surrogate =
      capnp::makeRpcServer(surrogateNetwork, kj::heap<bridge32::SurrogateServer>(plugins, outbox));
  bridge32::fuzz::HostConversation host(*pipe.ends[0], argv[1]);
  auto outcome = host.run().wait(io.waitScope);
  // Anything the surrogate still has to say (log records) goes out now.
  io.provider->getTimer().afterDelay(100 * kj::MILLISECONDS).wait(io.waitScope);

  auto path = std::string(argv[2]) + "/well-behaved-surrogate";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(tap.written.data()), std::streamsize(tap.written.size()));
  std::cout << "recorded " << tap.written.size() << " bytes from the surrogate: "
            << outcome.answered << " answers accepted, " << outcome.refused << " refused\n";
  // Everything but the editor (its parent is no window on a display here) must have been answered.
  return outcome.answered >= 14 && outcome.refused <= 1 ? 0 : 1;
}
