#include "transport/bulk-copy.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

namespace {

// Waiting for a word to change, as the system does it fastest: a futex (libstdc++'s atomic wait
// on Linux), or WaitOnAddress on Windows, which Wine serves without a round trip to its server
// (a MinGW condition variable takes one to sleep and one to wake: ~50 us each under Wine 8).
void waitWhile(std::atomic<uint32_t>& word, uint32_t value) {
#if _WIN32
  while (word.load(std::memory_order_acquire) == value) {
    WaitOnAddress(&word, &value, sizeof value, INFINITE);
  }
#else
  word.wait(value, std::memory_order_acquire);
#endif
}

void wake(std::atomic<uint32_t>& word) {
#if _WIN32
  WakeByAddressAll(&word);
#else
  word.notify_all();
#endif
}

// A thread that copies the part of a copy it is given, and waits for the next one.
class Helper {
 public:
  // [any-thread] Whether this caller now has the helper to itself (until done()).
  bool claim() { return !claimed_.exchange(true, std::memory_order_acquire); }

  // Starts copying `bytes` from `from` to `to` on the helper's thread.
  void give(std::byte* to, const std::byte* from, size_t bytes) {
    start();
    to_ = to;
    from_ = from;
    bytes_ = bytes;
    state_.store(kGiven, std::memory_order_release);
    wake(state_);
  }

  // Waits for the part given, if it was, to be copied, and lets the helper go.
  void done(bool wasGiven) {
    if (wasGiven) {
      while (state_.load(std::memory_order_acquire) == kGiven) waitWhile(state_, kGiven);
      state_.store(kIdle, std::memory_order_relaxed);
    }
    claimed_.store(false, std::memory_order_release);
  }

 private:
  static constexpr uint32_t kIdle = 0, kGiven = 1, kCopied = 2;

  void start() {
    if (started_) return;
    // Never joined: parked between copies for the process's life, as a thread pool's are.
    std::thread([this] { run(); }).detach();
    started_ = true;
  }

  void run() {
    for (;;) {
      waitWhile(state_, kIdle);
      if (state_.load(std::memory_order_acquire) != kGiven) continue;
      std::memcpy(to_, from_, bytes_);
      state_.store(kCopied, std::memory_order_release);
      wake(state_);
      // The claimant sets it idle again; until then there is nothing to do.
      while (state_.load(std::memory_order_acquire) == kCopied) waitWhile(state_, kCopied);
    }
  }

  std::atomic<bool> claimed_{false};
  bool started_ = false;  // by the claimant
  std::atomic<uint32_t> state_{kIdle};
  // Written by the claimant before state_ says kGiven, read by the helper after.
  std::byte* to_ = nullptr;
  const std::byte* from_ = nullptr;
  size_t bytes_ = 0;
};

// The helpers: one per hardware thread beyond the first, at most three (more add nothing where
// the memory system is the limit). Made once, never destroyed: a thread may be parked in each.
std::vector<Helper>& helpers() {
  static auto* made = [] {
    unsigned spare = std::max(1u, std::thread::hardware_concurrency()) - 1;
    return new std::vector<Helper>(std::min(spare, 3u));
  }();
  return *made;
}

}  // namespace

void copyBulk(void* to, const void* from, size_t bytes) {
  auto* target = static_cast<std::byte*>(to);
  auto* source = static_cast<const std::byte*>(from);
  Helper* claimed[3];
  size_t count = 0;
  if (bytes >= kBulkCopyBytes) {
    for (Helper& helper : helpers()) {
      if (helper.claim()) claimed[count++] = &helper;
    }
  }
  // Equal parts of whole pages, the last taking the rest; the calling thread copies the first,
  // and what it could not give.
  constexpr size_t kPage = 4096;
  size_t part = count == 0 ? bytes : bytes / (count + 1) / kPage * kPage;
  size_t given = 0;
  try {
    for (; given < count; ++given) {
      size_t offset = part * (given + 1);
      claimed[given]->give(target + offset, source + offset,
                           given + 1 == count ? bytes - offset : part);
    }
  } catch (const std::system_error&) {
    // No thread to be had now: the parts not given are copied here.
  }
  if (part != 0) std::memcpy(target, source, part);
  if (size_t rest = part * (given + 1); given < count) {
    std::memcpy(target + rest, source + rest, bytes - rest);
  }
  for (size_t i = 0; i < count; ++i) claimed[i]->done(i < given);
}

}  // namespace bridge32
