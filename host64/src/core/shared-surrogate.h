// What a SharedSurrogate (bridge32_surrogate) is in bridge32: the current process's connection,
// and a new process in its place once that one stopped.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "bridge32/surrogate.h"
#include "core/surrogate-client.h"

namespace bridge32 {

class LiveSurrogate {
 public:
  using Starter = std::function<std::shared_ptr<SurrogateClient>()>;
  // `start` starts a process, now and on every revival; `sandboxed` says it starts them so.
  LiveSurrogate(Starter start, bool sandboxed);
  LiveSurrogate(const LiveSurrogate&) = delete;
  LiveSurrogate& operator=(const LiveSurrogate&) = delete;

  Architecture architecture() const { return architecture_; }
  bool isSandboxed() const { return sandboxed_; }
  // [any-thread] The current process's connection, running or not.
  std::shared_ptr<SurrogateClient> client() const;
  // [any-thread] A running process's connection: the current one, or, once that stopped, a new
  // process's (one start however many callers ask at once). Throws like startSurrogate.
  std::shared_ptr<SurrogateClient> running();

 private:
  Starter start_;
  bool sandboxed_;
  Architecture architecture_;
  // Held while a new process starts, which on Windows dispatches window messages: recursive,
  // so that a window procedure that asks for the surrogate meanwhile cannot deadlock.
  std::recursive_mutex startMutex_;
  mutable std::mutex mutex_;  // guards client_, briefly
  std::shared_ptr<SurrogateClient> client_;
};

// Starts a surrogate of `architecture` for modules loaded with LoadOptions::surrogate. Throws
// Error: surrogateStart, badModule for a surrogate executable of another architecture.
std::shared_ptr<LiveSurrogate> startLiveSurrogate(Architecture architecture,
                                                  const LoadOptions& options);

// What a SharedSurrogate stands for.
std::shared_ptr<LiveSurrogate> liveSurrogateOf(const SharedSurrogate& surrogate);

// planLoad, naming the file as `role` in errors ("library", "plugin module").
LoadPlan planLoad(const std::filesystem::path& path, const LoadOptions& options,
                  std::string_view role);

// The surrogate executable of `architecture` that `options` point to.
std::filesystem::path surrogateExecutable(Architecture architecture, const LoadOptions& options);

// The surrogate the module at `path`, planned as `plan`, loads into: LoadOptions::surrogate
// (which must be of the module's architecture), else a new one.
std::shared_ptr<LiveSurrogate> surrogateFor(const LoadPlan& plan,
                                            const std::filesystem::path& path,
                                            const LoadOptions& options);

// `path` as a surrogate must be given it: absolute, since it may run in another directory.
std::filesystem::path pathForSurrogate(const std::filesystem::path& path);

}  // namespace bridge32
