#include "core/module-link.h"

#include <algorithm>
#include <optional>

#include "core/shared-surrogate.h"
#include "logging.h"
#include "wire.h"

namespace bridge32 {

ModuleLink::ModuleLink(std::shared_ptr<LiveSurrogate> surrogate, wire::ModuleKind kind,
                       const std::filesystem::path& path, const LoadOptions& options,
                       Accept accept)
    : surrogate_(std::move(surrogate)),
      kind_(kind),
      rules_{path, options.callTimeout, options.onHang},
      startTimeout_(options.startTimeout),
      accept_(std::move(accept)),
      events_(options.events),
      supervisor_(
          options.restart, [this] { restartByItself(); },
          [this](std::string_view why, bool willRetry) {
            if (events_.restartFailed) events_.restartFailed(why, willRetry);
            for (auto& life : lives()) life->restartFailed(why, willRetry);
          }) {
  // A shared surrogate that stopped is replaced, as for a restart.
  loaded_ = load(surrogate_->running(), true);
  watch(loaded_.client);
}

ModuleLink::~ModuleLink() {
  *alive_ = false;
  // Listeners running on other threads finish first.
  for (const auto& watched : watched_) {
    if (auto client = watched->client.lock()) client->removeLostListener(watched->listener);
  }
  supervisor_.stop();
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
  bool reloaded = false;
  Loaded loaded = running(reloaded);
  if (auto restarted = events_.restarted; reloaded && restarted) restarted();
  return loaded;
}

ModuleLink::Loaded ModuleLink::running(bool& reloaded) {
  auto running = [this]() -> std::optional<Loaded> {
    Loaded current = this->current();
    if (current.client->isLost()) return std::nullopt;
    return current;
  };
  return *reload_.runningOr(rules_.describe(""), running, [&]() -> std::optional<Loaded> {
    Loaded stopped = current();
    reportStopOnce(stopped.client);  // before the restart, when its listener has not run yet
    Loaded fresh = load(surrogate_->running(), false);
    {
      std::lock_guard lock(mutex_);
      loaded_ = fresh;
    }
    watch(fresh.client);
    supervisor_.restarted(false);
    logging::info("{} loaded again, in surrogate {}", rules_.describe(""), fresh.client->pid());
    reloaded = true;
    return fresh;  // `stopped` goes after the lock, its module first
  });
}

void ModuleLink::remember(std::weak_ptr<Revivable> life) {
  std::lock_guard lock(mutex_);
  std::erase_if(lives_, [](const auto& known) { return known.expired(); });
  lives_.push_back(std::move(life));
}

std::vector<std::shared_ptr<Revivable>> ModuleLink::lives() {
  std::vector<std::shared_ptr<Revivable>> alive;
  std::lock_guard lock(mutex_);
  for (const auto& known : lives_) {
    if (auto life = known.lock()) alive.push_back(std::move(life));
  }
  return alive;
}

void ModuleLink::watch(const std::shared_ptr<SurrogateClient>& client) {
  auto watched = std::make_shared<Watched>();
  watched->client = client;
  // Only while `client` is the current one: a surrogate found lost by a call may have been
  // replaced already when its listeners run.
  auto report = [this, watched, raw = client.get(), alive = alive_](const std::string& why) {
    if (current().client.get() != raw || watched->reported.exchange(true)) return;
    // A copy: the handler may destroy the module, and with it events_.
    if (auto stopped = events_.stopped) stopped(why);
    if (*alive) supervisor_.stopped();
  };
  {
    std::lock_guard lock(mutex_);
    std::erase_if(watched_, [](const auto& known) { return known->client.expired(); });
    watched->listener = client->addLostListener(report);
    watched_.push_back(watched);
  }
  // Lost before the listener was there, which may then not be called.
  if (client->isLost()) {
    report("its surrogate (pid " + std::to_string(client->pid()) + ") stopped as it loaded");
  }
}

void ModuleLink::reportStopOnce(const std::shared_ptr<SurrogateClient>& client) {
  std::shared_ptr<Watched> watched;
  {
    std::lock_guard lock(mutex_);
    for (const auto& known : watched_) {
      if (known->client.lock() == client) watched = known;
    }
  }
  if (!watched || watched->reported.exchange(true)) return;
  if (events_.stopped) {
    events_.stopped("its surrogate (pid " + std::to_string(client->pid()) + ") stopped");
  }
}

void ModuleLink::restartByItself() {
  bool reloaded = false;
  running(reloaded);
  // Each comes back, or says why not; one that could not is tried again with the module.
  std::exception_ptr failed;
  for (auto& life : lives()) {
    try {
      life->bringBack(false);
    } catch (const std::exception&) {
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
  // Once what it made is back too (a call that needed it earlier has said so).
  if (auto restarted = events_.restarted; reloaded && restarted) restarted();
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
