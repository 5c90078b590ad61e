// HostOutbox on its own: a surrogate's outbox sending to host capabilities in this process, fed
// from several threads, with small limits so that it fills.
#include <gtest/gtest.h>
#include <kj/async-io.h>

#include <map>
#include <thread>
#include <vector>

#include "core/host-outbox.h"
#include "wire.h"

namespace bridge32 {
namespace {

// A host's HostCallbacks that records what arrives; it can hold its answers back, as a busy host
// does.
class RecordingHost final : public wire::HostCallbacks::Server {
 public:
  struct Seen {
    std::vector<std::string> logs;
    std::vector<std::pair<uint32_t, double>> changes;
    std::vector<EditorSize> sizes;
    uint64_t dropped = 0;
    int batches = 0;
  };

  explicit RecordingHost(Seen& seen) : seen_(seen) {}

  // While held, the answer to the next batch waits until release().
  void hold() { holding_ = true; }
  void release() {
    holding_ = false;
    if (answer_) answer_->fulfill();
  }

 protected:
  kj::Promise<void> events(EventsContext context) override {
    ++seen_.batches;
    for (auto event : context.getParams().getEvents()) {
      switch (event.which()) {
        case wire::HostEvent::LOG: seen_.logs.push_back(text(event.getLog().getMessage())); break;
        case wire::HostEvent::PARAM_CHANGED:
          seen_.changes.emplace_back(event.getParamChanged().getId(),
                                     event.getParamChanged().getValue());
          break;
        case wire::HostEvent::EDITOR_RESIZE:
          seen_.sizes.push_back(
              {event.getEditorResize().getWidth(), event.getEditorResize().getHeight()});
          break;
        case wire::HostEvent::LOG_LINES_DROPPED: seen_.dropped += event.getLogLinesDropped(); break;
        default: break;
      }
    }
    if (!holding_) return kj::READY_NOW;
    auto paf = kj::newPromiseAndFulfiller<void>();
    answer_ = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
  }

 private:
  Seen& seen_;
  bool holding_ = false;
  kj::Own<kj::PromiseFulfiller<void>> answer_;
};

struct OutboxTest : ::testing::Test {
  ~OutboxTest() noexcept override {}
  kj::AsyncIoContext io = kj::setupAsyncIo();
  RecordingHost::Seen seen;

  // Runs the loop until `done` or a second of nothing happening.
  template <typename Done>
  void settle(Done&& done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      io.provider->getTimer().afterDelay(kj::MILLISECONDS).wait(io.waitScope);
    }
  }
};

TEST_F(OutboxTest, EventsFromManyThreadsArriveEachThreadsInItsOrder) {
  HostOutbox outbox({.maxEvents = 1 << 20, .maxBytes = 64 << 20, .maxBatchEvents = 100});
  auto target = outbox.addTarget(kj::heap<RecordingHost>(seen));
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) outbox.log(target, LogLevel::info, std::to_string(t * kEach + i));
    });
  }
  for (auto& thread : threads) thread.join();
  outbox.flushed().wait(io.waitScope);
  settle([&] { return seen.logs.size() == kThreads * kEach; });

  ASSERT_EQ(seen.logs.size(), size_t(kThreads * kEach));
  std::vector<int> last(kThreads, -1);
  for (const auto& line : seen.logs) {
    int n = std::stoi(line), thread = n / kEach;
    EXPECT_GT(n, last[thread]) << "thread " << thread << "'s lines out of order";
    last[thread] = n;
  }
  EXPECT_EQ(outbox.counters().dropped, 0u);
  EXPECT_GT(seen.batches, kThreads * kEach / 100 - 1) << "at most 100 events a batch";
}

TEST_F(OutboxTest, AFullQueueDropsLogLinesAndSaysHowManyAndKeepsTheLatestValues) {
  HostOutbox outbox({.maxEvents = 8, .maxBytes = 1 << 20, .maxBatchEvents = 4});
  auto target = outbox.addTarget(kj::heap<RecordingHost>(seen));
  // Nothing is sent while this thread does not run the loop: the queue fills.
  for (int i = 0; i < 1000; ++i) outbox.log(target, LogLevel::info, "line " + std::to_string(i));
  for (int i = 1; i <= 1000; ++i) outbox.paramChanged(target, 7, i);
  outbox.paramChanged(target, 8, 0.5);
  outbox.editorResize(target, {300, 200});
  outbox.editorResize(target, {320, 240});
  outbox.flushed().wait(io.waitScope);
  settle([&] { return !seen.sizes.empty(); });

  auto counters = outbox.counters();
  EXPECT_LE(counters.mostEvents, 8u);
  EXPECT_EQ(seen.logs.size() + seen.dropped, 1000u) << "every line arrives or is counted";
  EXPECT_EQ(seen.logs.size(), 8u);
  EXPECT_EQ(seen.logs.front(), "line 0");
  ASSERT_FALSE(seen.changes.empty());
  std::map<uint32_t, double> last;
  for (auto [id, value] : seen.changes) last[id] = value;
  EXPECT_EQ(last[7], 1000.0);
  EXPECT_EQ(last[8], 0.5);
  EXPECT_LT(seen.changes.size(), 10u) << "held values are sent once each";
  ASSERT_EQ(seen.sizes.size(), 1u);
  EXPECT_EQ(seen.sizes.back(), (EditorSize{320, 240}));
}

TEST_F(OutboxTest, AValueSentAfterTheQueueDrainedWinsOverOneHeldBefore) {
  HostOutbox outbox({.maxEvents = 2, .maxBytes = 1 << 20, .maxBatchEvents = 2});
  auto target = outbox.addTarget(kj::heap<RecordingHost>(seen));
  outbox.paramChanged(target, 1, 1);
  outbox.paramChanged(target, 2, 1);
  outbox.paramChanged(target, 1, 5);  // full: held
  outbox.flushed().wait(io.waitScope);
  settle([&] { return seen.changes.size() >= 3; });
  // The queue has room again: this one is newer than the held 5, which must not overwrite it.
  outbox.paramChanged(target, 1, 6);
  outbox.flushed().wait(io.waitScope);
  settle([&] { return !seen.changes.empty() && seen.changes.back() == std::make_pair(1u, 6.0); });
  EXPECT_EQ(seen.changes.back(), std::make_pair(1u, 6.0));
}

TEST_F(OutboxTest, FlushedWaitsForEverythingAddedBeforeItToGoOut) {
  HostOutbox outbox({.maxEvents = 100, .maxBytes = 1 << 20, .maxBatchEvents = 1});
  auto host = kj::heap<RecordingHost>(seen);
  RecordingHost& recording = *host;
  auto target = outbox.addTarget(kj::mv(host));
  recording.hold();
  outbox.log(target, LogLevel::info, "first");
  outbox.log(target, LogLevel::info, "second");
  auto flushed = outbox.flushed().fork();
  auto done = flushed.addBranch().then([] { return true; });
  settle([&] { return seen.batches == 1; });
  // "first" is out, and the host holds its answer: "second" cannot go yet.
  EXPECT_FALSE(done.poll(io.waitScope));
  recording.release();
  flushed.addBranch().wait(io.waitScope);
  settle([&] { return seen.logs.size() == 2; });
  EXPECT_EQ(seen.logs, (std::vector<std::string>{"first", "second"}));
}

TEST_F(OutboxTest, EventsForATargetThatIsGoneAreDropped) {
  HostOutbox outbox;
  auto gone = outbox.addTarget(kj::heap<RecordingHost>(seen));
  outbox.log(gone, LogLevel::info, "too late");
  outbox.removeTarget(gone);
  outbox.flushed().wait(io.waitScope);
  io.provider->getTimer().afterDelay(10 * kj::MILLISECONDS).wait(io.waitScope);
  EXPECT_TRUE(seen.logs.empty());
}

}  // namespace
}  // namespace bridge32
