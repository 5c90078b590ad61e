#include "core/module-link.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "core/shared-surrogate.h"
#include "logging.h"
#include "wire.h"

namespace bridge32 {

std::shared_ptr<ModuleLink> ModuleLink::make(std::shared_ptr<LiveSurrogate> surrogate,
                                             wire::ModuleKind kind,
                                             const std::filesystem::path& path,
                                             const LoadOptions& options, Accept accept) {
  // The restarting thread holds what it brings back, and so may hold the link last: the link
  // then goes on a thread of its own, which waits for the restarting one to finish.
  return std::shared_ptr<ModuleLink>(
      new ModuleLink(std::move(surrogate), kind, path, options, std::move(accept)),
      [](ModuleLink* link) {
        if (link->supervisor_.onItsThread()) {
          std::thread([link] { delete link; }).detach();
        } else {
          delete link;
        }
      });
}

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
            if (auto failed = events_.restartFailed) failed(why, willRetry);
            for (auto& life : lives()) life->restartFailed(why, willRetry);
          }) {
  // A shared surrogate that stopped is replaced, as for a restart.
  Loaded loaded = load(surrogate_->running(), true);
  watch(loaded.client);
  loaded_ = std::move(loaded);
}

ModuleLink::~ModuleLink() {
  *alive_ = false;
  supervisor_.stop();  // an attempt in progress finishes first
  std::vector<std::pair<std::weak_ptr<SurrogateClient>, uint64_t>> watched;
  {
    std::lock_guard lock(mutex_);
    watched = watched_;
  }
  // Listeners running on other threads finish first.
  for (const auto& [weak, listener] : watched) {
    if (auto client = weak.lock()) client->removeLostListener(listener);
  }
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
  // The stop is told before the module comes back (a window procedure inside the telling that
  // needs the module finds it here, on the loop thread, and does not wait).
  current().client->awaitLossTold();
  Running running = ensureRunning();
  if (auto restarted = events_.restarted; running.reloaded && restarted) restarted();
  return std::move(running.loaded);
}

ModuleLink::Running ModuleLink::ensureRunning() {
  bool reloaded = false;
  auto runningNow = [this]() -> std::optional<Loaded> {
    Loaded current = this->current();
    if (current.client->isLost()) return std::nullopt;
    return current;
  };
  Loaded loaded = *reload_.runningOr(rules_.describe(""), runningNow, [&]() -> std::optional<Loaded> {
    Loaded stopped = current();
    Loaded fresh = load(surrogate_->running(), false);
    watch(fresh.client);
    {
      std::lock_guard lock(mutex_);
      loaded_ = fresh;
    }
    supervisor_.restarted(false);
    logging::info("{} loaded again, in surrogate {}", rules_.describe(""), fresh.client->pid());
    reloaded = true;
    return fresh;  // `stopped` goes after the lock, its module first
  });
  return {std::move(loaded), reloaded};
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
  uint64_t listener = client->addLostListener([this, alive = alive_](const std::string& why) {
    // A copy: the handler may destroy the module, and with it events_.
    if (auto stopped = events_.stopped) stopped(why);
    if (*alive) supervisor_.stopped();
  });
  if (listener == 0) {
    throw Error(Error::Kind::disconnected,
                rules_.describe("") + ": its surrogate (pid " + std::to_string(client->pid()) +
                    ") stopped as the module loaded");
  }
  std::lock_guard lock(mutex_);
  std::erase_if(watched_, [](const auto& known) { return known.first.expired(); });
  watched_.emplace_back(client, listener);
}

void ModuleLink::restartByItself() {
  // The stopped surrogate, held here so that this thread lets go of it last, below.
  std::shared_ptr<SurrogateClient> stopped = current().client;
  // No wait for the stop to be told: telling it is what started this, and the application may
  // let go of the module while it hears it (each life waits for its own, bringBack()).
  Running running = ensureRunning();
  // What the module made comes back; what cannot says so, and stays stopped until it is
  // restarted by hand or used (a surrogate that stops meanwhile is a stop of its own).
  for (auto& life : lives()) {
    try {
      life->bringBack(false);
    } catch (const std::exception& error) {
      life->restartFailed(error.what(), false);
    }
  }
  // Once what it made is back too (a call that needed it earlier has said so).
  if (auto restarted = events_.restarted; running.reloaded && restarted) restarted();
  // A surrogate's shutdown waits for its loop thread, which may still be telling the stop to
  // application code that lets go of the module, and so waits for this thread: then a thread of
  // its own lets go of it.
  if (stopped->tellingLoss()) std::thread([last = std::move(stopped)] {}).detach();
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
