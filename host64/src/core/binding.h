// One life of something a module made in a surrogate (a plugin instance, say): its capability in
// one surrogate process, and the listener that reports that process's loss. A restart makes a
// new Binding in the new process; the old one goes with what is left of the old process.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "core/event-loop-thread.h"
#include "core/surrogate-client.h"

namespace bridge32 {

template <typename Capability>
struct Binding {
  std::shared_ptr<SurrogateClient> client;
  LoopOwned<Capability> capability;  // after client: released first
  uint64_t lostListener = 0;
  std::atomic<bool> stopReported{false};

  Binding(std::shared_ptr<SurrogateClient> client, std::unique_ptr<Capability> capability)
      : client(std::move(client)), capability(this->client->loop(), std::move(capability)) {}
  ~Binding() {
    if (lostListener) client->removeLostListener(lostListener);
  }
  Binding(const Binding&) = delete;
  Binding& operator=(const Binding&) = delete;
};

}  // namespace bridge32
