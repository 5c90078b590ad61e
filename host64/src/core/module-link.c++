#include "core/module-link.h"

#include <algorithm>
#include <optional>

#include "core/shared-surrogate.h"
#include "wire.h"

namespace bridge32 {

ModuleLink::ModuleLink(std::shared_ptr<LiveSurrogate> surrogate, wire::ModuleKind kind,
                       const std::filesystem::path& path, const LoadOptions& options,
                       Accept accept)
    : surrogate_(std::move(surrogate)),
      kind_(kind),
      rules_{path, options.callTimeout, options.onHang},
      startTimeout_(options.startTimeout),
      accept_(std::move(accept)) {
  // A shared surrogate that stopped is replaced, as for a restart.
  loaded_ = load(surrogate_->running(), true);
}

ModuleLink::~ModuleLink() {
  auto client = loaded_.client;
  loaded_.module.reset();
  if (client->isLost()) return;
  try {
    client->call([](wire::Session::Client& session) { return session.pingRequest().send(); },
                 [](auto&) {}, std::chrono::seconds(5));
  } catch (const std::exception&) {
    // Gone meanwhile: nothing is loaded any more.
  }
}

ModuleLink::Loaded ModuleLink::current() const {
  std::lock_guard lock(mutex_);
  return loaded_;
}

ModuleLink::Loaded ModuleLink::running() {
  auto running = [this]() -> std::optional<Loaded> {
    Loaded current = this->current();
    if (current.client->isLost()) return std::nullopt;
    return current;
  };
  return *reload_.runningOr(rules_.describe(""), running, [this]() -> std::optional<Loaded> {
    Loaded stopped = current();
    Loaded fresh = load(surrogate_->running(), false);
    std::lock_guard lock(mutex_);
    loaded_ = fresh;
    return fresh;  // `stopped` goes after the lock, its module first
  });
}

ModuleLink::Loaded ModuleLink::load(std::shared_ptr<SurrogateClient> client, bool first) {
  std::string pathText = utf8(rules_.modulePath);
  // Loading runs the module's initialization, which may take as long as a start.
  DeadlineScope loading(std::max(currentDeadline(rules_.timeout), startTimeout_));
  auto module = rules_(
      *client, "",
      [&](wire::Session::Client& session) {
        auto request = session.loadRequest();
        request.setKind(kind_);
        request.setPath(pathText);
        return request.send();
      },
      [&](auto& response) {
        throwIfError(response);
        return std::make_unique<capnp::Capability::Client>(accept_(response.getModule(), first));
      });
  auto owned =
      std::make_shared<LoopOwned<capnp::Capability::Client>>(client->loop(), std::move(module));
  return {std::move(client), std::move(owned)};
}

}  // namespace bridge32
