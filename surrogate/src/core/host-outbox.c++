#include "core/host-outbox.h"

#include <algorithm>
#include <utility>

#include "wire.h"

namespace bridge32 {

HostOutbox::HostOutbox(Limits limits) : limits_(limits) {
  sending_ = sendLoop().eagerlyEvaluate([](kj::Exception&&) {});
}

HostOutbox::~HostOutbox() noexcept(false) = default;

HostOutbox::Target HostOutbox::addTarget(wire::HostCallbacks::Client callbacks) {
  Target target = nextTarget_++;
  targets_.emplace(target, kj::mv(callbacks));
  return target;
}

void HostOutbox::setLogSink(wire::LogSink::Client sink) { logSink_ = kj::mv(sink); }

void HostOutbox::removeTarget(Target target) { targets_.erase(target); }

void HostOutbox::log(Target target, LogLevel level, std::string_view message,
                     std::string_view logger) {
  Event event(target, Kind::log);
  event.level = level;
  event.text = message;
  event.logger = logger;
  add(kj::mv(event));
}

void HostOutbox::paramChanged(Target target, uint32_t id, double value) {
  Event event(target, Kind::paramChanged);
  event.id = id;
  event.value = value;
  add(kj::mv(event));
}

void HostOutbox::editorResize(Target target, EditorSize size) {
  Event event(target, Kind::editorResize);
  event.size = size;
  add(kj::mv(event));
}

bool HostOutbox::full(const State& state, size_t extraBytes) const {
  return state.queue.size() >= limits_.maxEvents || state.bytes + extraBytes > limits_.maxBytes;
}

void HostOutbox::add(Event event) {
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> wake;
  {
    auto state = state_.lockExclusive();
    event.sequence = ++state->produced;
    producedMirror_.store(state->produced, std::memory_order_release);
    size_t bytes = event.text.size() + event.logger.size();
    auto found = state->held.find(event.target);
    // Once a target's lines are being dropped, they are until the queue has drained and the
    // host was told how many: what arrives is then what was said, with one gap, said where it is.
    bool dropping = found != state->held.end() && found->second.droppedLogLines > 0;
    if (full(*state, bytes) || (event.kind == Kind::log && dropping)) {
      Held& held = found != state->held.end() ? found->second : state->held[event.target];
      if (held.empty()) held.since = event.sequence;
      switch (event.kind) {
        case Kind::log:
          ++held.droppedLogLines;
          ++state->counters.dropped;
          break;
        case Kind::paramChanged:
          if (!held.params.insert_or_assign(event.id, event.value).second) {
            ++state->counters.coalesced;
          }
          break;
        case Kind::editorResize:
          if (held.size) ++state->counters.coalesced;
          held.size = event.size;
          break;
        case Kind::logLinesDropped: break;
      }
    } else {
      if (found != state->held.end()) {
        // This value is newer than the one held back: the held one must not follow it.
        Held& held = found->second;
        if (event.kind == Kind::paramChanged) held.params.erase(event.id);
        if (event.kind == Kind::editorResize) held.size.reset();
        if (held.empty()) state->held.erase(found);
      }
      state->bytes += bytes;
      state->queue.push_back(kj::mv(event));
      ++state->counters.queued;
      state->counters.mostEvents = std::max(state->counters.mostEvents, state->queue.size());
      state->counters.mostBytes = std::max(state->counters.mostBytes, state->bytes);
    }
    wake = kj::mv(state->wake);
  }
  if (wake) wake->fulfill();
}

HostOutbox::Counters HostOutbox::counters() const { return state_.lockShared()->counters; }

kj::Promise<void> HostOutbox::whenSomethingToSend() {
  auto state = state_.lockExclusive();
  if (!state->queue.empty() || !state->held.empty()) return kj::READY_NOW;
  auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
  state->wake = kj::mv(paf.fulfiller);
  return kj::mv(paf.promise);
}

HostOutbox::Batch HostOutbox::take() {
  auto state = state_.lockExclusive();
  Batch batch;
  // What was held back longest goes next once it is older than the queue's front: held values
  // must not wait for a queue that never empties (they would hold every answer back).
  auto oldestHeld = state->held.end();
  for (auto held = state->held.begin(); held != state->held.end(); ++held) {
    if (oldestHeld == state->held.end() || held->second.since < oldestHeld->second.since) {
      oldestHeld = held;
    }
  }
  bool heldFirst = oldestHeld != state->held.end() &&
                   (state->queue.empty() || oldestHeld->second.since < state->queue.front().sequence);
  if (!heldFirst && !state->queue.empty()) {
    // The events at the front for one target, in their order.
    batch.target = state->queue.front().target;
    while (!state->queue.empty() && state->queue.front().target == batch.target &&
           batch.events.size() < limits_.maxBatchEvents) {
      Event& event = state->queue.front();
      state->bytes -= event.text.size() + event.logger.size();
      batch.events.push_back(kj::mv(event));
      state->queue.pop_front();
    }
  } else if (heldFirst) {
    // What one target said while the queue was full: a value held for a key is newer than any
    // queued for it (queuing a newer one drops the held one), so it may go ahead of the queue.
    batch.target = oldestHeld->first;
    Held held = kj::mv(oldestHeld->second);
    state->held.erase(oldestHeld);
    if (held.droppedLogLines > 0) {
      Event dropped(batch.target, Kind::logLinesDropped);
      dropped.count = held.droppedLogLines;
      batch.events.push_back(kj::mv(dropped));
    }
    for (auto [id, value] : held.params) {
      Event change(batch.target, Kind::paramChanged);
      change.id = id;
      change.value = value;
      batch.events.push_back(kj::mv(change));
    }
    if (held.size) {
      Event resize(batch.target, Kind::editorResize);
      resize.size = *held.size;
      batch.events.push_back(kj::mv(resize));
    }
  }
  // Everything numbered below the oldest event still waiting has now been taken.
  uint64_t oldest = state->produced + 1;
  if (!state->queue.empty()) oldest = std::min(oldest, state->queue.front().sequence);
  for (const auto& [target, held] : state->held) oldest = std::min(oldest, held.since);
  batch.sentThrough = oldest - 1;
  if (!batch.events.empty()) ++state->counters.batches;
  return batch;
}

kj::Promise<void> HostOutbox::sendLoop() {
  return whenSomethingToSend().then([this] {
    Batch batch = take();
    kj::Promise<void> delivered = kj::READY_NOW;
    try {
      delivered = send(batch);
    } catch (const kj::Exception&) {
      // Nothing could go (out of memory building it, say): those events are lost, not the loop.
    } catch (const std::exception&) {
    }
    sent(batch.sentThrough);
    // One batch in flight: the next goes when the host has taken this one.
    return delivered.catch_([](kj::Exception&&) {}).then([this] { return sendLoop(); });
  });
}

kj::Promise<void> HostOutbox::send(Batch& batch) {
  if (batch.events.empty()) return kj::READY_NOW;
  if (batch.target == kLogSink) {
    if (!logSink_) return kj::READY_NOW;
    auto request = logSink_->writeBatchRequest();
    uint64_t dropped = 0;
    size_t records = 0;
    for (const Event& event : batch.events) {
      if (event.kind == Kind::log) ++records;
      if (event.kind == Kind::logLinesDropped) dropped += event.count;
    }
    auto list = request.initRecords(uint32_t(records));
    uint32_t i = 0;
    for (const Event& event : batch.events) {
      if (event.kind != Kind::log) continue;
      auto record = list[i++];
      record.setLevel(toWire(event.level));
      record.setLogger(event.logger);
      record.setMessage(event.text);
    }
    request.setDropped(dropped);
    return request.send().ignoreResult();
  }
  auto target = targets_.find(batch.target);
  if (target == targets_.end()) return kj::READY_NOW;  // its instance is gone
  auto request = target->second.eventsRequest();
  auto list = request.initEvents(uint32_t(batch.events.size()));
  for (uint32_t i = 0; i < list.size(); ++i) {
    const Event& event = batch.events[i];
    auto out = list[i];
    switch (event.kind) {
      case Kind::log: {
        auto line = out.initLog();
        line.setLevel(toWire(event.level));
        line.setMessage(event.text);
        break;
      }
      case Kind::paramChanged: {
        auto change = out.initParamChanged();
        change.setId(event.id);
        change.setValue(event.value);
        break;
      }
      case Kind::editorResize: {
        auto size = out.initEditorResize();
        size.setWidth(event.size.width);
        size.setHeight(event.size.height);
        break;
      }
      case Kind::logLinesDropped: out.setLogLinesDropped(event.count); break;
    }
  }
  return request.send().ignoreResult();
}

void HostOutbox::sent(uint64_t sentThrough) {
  sentThrough_ = std::max(sentThrough_, sentThrough);
  auto ready = std::partition(flushWaiters_.begin(), flushWaiters_.end(),
                              [&](const auto& waiter) { return waiter.first > sentThrough_; });
  for (auto waiter = ready; waiter != flushWaiters_.end(); ++waiter) waiter->second->fulfill();
  flushWaiters_.erase(ready, flushWaiters_.end());
}

kj::Promise<void> HostOutbox::flushed() {
  uint64_t mark = state_.lockShared()->produced;
  if (sentThrough_ >= mark) return kj::READY_NOW;
  auto paf = kj::newPromiseAndFulfiller<void>();
  flushWaiters_.emplace_back(mark, kj::mv(paf.fulfiller));
  return kj::mv(paf.promise);
}

}  // namespace bridge32
