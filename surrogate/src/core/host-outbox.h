// What a surrogate says to its host besides answers: its plugins' log lines, parameter changes
// and editor resize requests (each instance's HostCallbacks), and its own log records (the
// host's LogSink).
//
// Any thread adds to it without blocking: a plugin's own threads, the module thread in the middle
// of a call, spdlog. The serving thread sends what is queued in batches, one batch in flight at a
// time, so the host takes events as fast as it can and no faster; and an answer to a call waits
// (flushed()) until everything said before it has gone out, so the host sees a plugin's
// callbacks before the answer to the call that made them.
//
// It is bounded. Past Limits::maxEvents queued events or maxBytes of their text, log lines are
// dropped (a target's, until the queue has drained) and counted, and the host is told how many
// where the gap is; parameter changes and editor sizes are kept as the latest value of each (the
// one that matters) and sent once the queue has drained. A plugin that logs a million lines in
// one call keeps the surrogate's memory flat and is never held up by a slow host.
#pragma once

#include <kj/async.h>
#include <kj/mutex.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32.capnp.h"
#include "bridge32/types.h"

namespace bridge32 {

class HostOutbox {
 public:
  // Where events go: an instance's HostCallbacks (addTarget), or the host's LogSink.
  using Target = uint64_t;
  static constexpr Target kLogSink = 0;

  struct Limits {
    size_t maxEvents = 4096;
    size_t maxBytes = 1u << 20;   // of log text
    size_t maxBatchEvents = 1024;  // per message to the host
  };

  // What the outbox has done, for tests and diagnostics.
  struct Counters {
    uint64_t queued = 0;      // events that entered the queue
    uint64_t dropped = 0;     // log lines dropped because the queue was full
    uint64_t coalesced = 0;   // parameter changes and sizes that replaced an unsent one
    uint64_t batches = 0;     // messages sent to the host
    size_t mostEvents = 0;    // the most events ever queued at once
    size_t mostBytes = 0;     // the most text ever queued at once
  };

  // [serving thread]
  explicit HostOutbox(Limits limits);
  HostOutbox() : HostOutbox(Limits{}) {}
  ~HostOutbox() noexcept(false);
  HostOutbox(const HostOutbox&) = delete;
  HostOutbox& operator=(const HostOutbox&) = delete;

  // [serving thread] Registers where a target's events go. Events for a target that is not (or no
  // longer) registered are dropped when their turn comes.
  Target addTarget(wire::HostCallbacks::Client callbacks);
  void setLogSink(wire::LogSink::Client sink);
  void removeTarget(Target target);

  // [any-thread] Never block.
  void log(Target target, LogLevel level, std::string_view message, std::string_view logger = {});
  void paramChanged(Target target, uint32_t id, double value);
  void editorResize(Target target, EditorSize size);

  // [serving thread] Resolves once everything added before this call has been sent.
  kj::Promise<void> flushed();

  Counters counters() const;  // [any-thread]

  // [any-thread] How many events have been queued so far (held and dropped ones included): a
  // lane's answer says where it stands in what the plugins said. Lock-free, for audio threads.
  uint64_t produced() const { return producedMirror_.load(std::memory_order_acquire); }

 private:
  enum class Kind { log, paramChanged, editorResize, logLinesDropped };
  struct Event {
    Event(Target target, Kind kind) : target(target), kind(kind) {}
    Target target;
    Kind kind;
    uint64_t sequence = 0;
    LogLevel level = LogLevel::info;
    uint32_t id = 0;
    double value = 0;
    EditorSize size;
    uint64_t count = 0;
    std::string text, logger;
  };
  // What a target had to say while the queue was full, held back until it drains.
  struct Held {
    uint64_t since = 0;  // the sequence number of the oldest thing held (or dropped)
    uint64_t droppedLogLines = 0;
    std::map<uint32_t, double> params;
    std::optional<EditorSize> size;
    bool empty() const { return droppedLogLines == 0 && params.empty() && !size; }
  };
  struct State {
    std::deque<Event> queue;
    size_t bytes = 0;
    std::map<Target, Held> held;
    uint64_t produced = 0;  // sequence numbers handed out
    Counters counters;
    kj::Own<kj::CrossThreadPromiseFulfiller<void>> wake;  // set while the sender waits
  };
  struct Batch {
    Target target = kLogSink;
    std::vector<Event> events;
    uint64_t sentThrough = 0;  // every sequence number up to this one is in this or an earlier batch
  };

  // Adds `event` under the lock, or holds back what it says when the queue is full; wakes the
  // sender if it waits.
  void add(Event event);
  bool full(const State& state, size_t extraBytes) const;
  kj::Promise<void> sendLoop();
  kj::Promise<void> whenSomethingToSend();
  Batch take();
  kj::Promise<void> send(Batch& batch);
  void sent(uint64_t sentThrough);

  Limits limits_;
  kj::MutexGuarded<State> state_;
  std::atomic<uint64_t> producedMirror_{0};  // State::produced, readable without the lock
  // Serving thread only:
  std::map<Target, wire::HostCallbacks::Client> targets_;
  std::optional<wire::LogSink::Client> logSink_;
  Target nextTarget_ = kLogSink + 1;
  uint64_t sentThrough_ = 0;
  std::vector<std::pair<uint64_t, kj::Own<kj::PromiseFulfiller<void>>>> flushWaiters_;
  kj::Promise<void> sending_{nullptr};
};

}  // namespace bridge32
