#include "transport/bulk-copy.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace bridge32 {

namespace {

// A thread that copies the part of a copy it is given, and waits for the next one.
class Helper {
 public:
  // [any-thread] Whether this caller now has the helper to itself (until done()).
  bool claim() { return !claimed_.exchange(true, std::memory_order_acquire); }

  // Starts copying `bytes` from `from` to `to` on the helper's thread.
  void give(std::byte* to, const std::byte* from, size_t bytes) {
    start();
    {
      std::lock_guard lock(mutex_);
      to_ = to;
      from_ = from;
      bytes_ = bytes;
      given_ = true;
    }
    changed_.notify_all();
  }

  // Waits for the part given, if it was, to be copied, and lets the helper go.
  void done(bool wasGiven) {
    if (wasGiven) {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !given_; });
    }
    claimed_.store(false, std::memory_order_release);
  }

 private:
  void start() {
    if (started_) return;
    // Never joined: parked between copies for the process's life, as a thread pool's are.
    std::thread([this] { run(); }).detach();
    started_ = true;
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return given_; });
      lock.unlock();
      std::memcpy(to_, from_, bytes_);
      lock.lock();
      given_ = false;
      changed_.notify_all();
    }
  }

  std::atomic<bool> claimed_{false};
  bool started_ = false;  // by the claimant
  std::mutex mutex_;
  std::condition_variable changed_;
  std::byte* to_ = nullptr;
  const std::byte* from_ = nullptr;
  size_t bytes_ = 0;
  bool given_ = false;
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
