// copyBulk: a large copy shared with helper threads is the same bytes as one memcpy, whatever
// the size and alignment, and whoever else copies at the same time.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "bridge32/bridge32.h"
#include "transport/bulk-copy.h"

namespace bridge32 {
namespace {

std::vector<uint8_t> pattern(size_t bytes, uint32_t seed) {
  std::vector<uint8_t> data(bytes);
  uint32_t state = seed;
  for (auto& byte : data) {
    state = state * 1664525u + 1013904223u;
    byte = uint8_t(state >> 24);
  }
  return data;
}

TEST(BulkCopy, EverySizeAndOffsetCopiesEveryByteAndNothingElse) {
  const size_t sizes[] = {0,
                          1,
                          4095,
                          kBulkCopyBytes - 1,
                          kBulkCopyBytes,
                          kBulkCopyBytes + 1,
                          3 * kBulkCopyBytes + 4097,
                          8 * kBulkCopyBytes + 123};
  for (size_t bytes : sizes) {
    for (size_t offset : {size_t(0), size_t(3)}) {
      SCOPED_TRACE(testing::Message() << bytes << " bytes at offset " << offset);
      auto from = pattern(bytes + offset, uint32_t(bytes));
      // Guard bytes either side of the target: nothing outside it is written.
      std::vector<uint8_t> to(bytes + offset + 64, 0xA5);
      copyBulk(to.data() + 32 + offset, from.data() + offset, bytes);
      EXPECT_EQ(std::memcmp(to.data() + 32 + offset, from.data() + offset, bytes), 0);
      for (size_t i = 0; i < 32 + offset; ++i) ASSERT_EQ(to[i], 0xA5) << "before, at " << i;
      for (size_t i = 32 + offset + bytes; i < to.size(); ++i) {
        ASSERT_EQ(to[i], 0xA5) << "after, at " << i;
      }
    }
  }
}

TEST(BulkCopy, CopiesAtTheSameTimeFromManyThreadsEachGetTheirOwnBytes) {
  constexpr size_t kBytes = 5 * kBulkCopyBytes + 777;
  constexpr int kThreads = 6, kRounds = 20;
  std::vector<std::thread> threads;
  std::vector<int> wrong(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &wrong] {
      auto from = pattern(kBytes, uint32_t(t + 1));
      std::vector<uint8_t> to(kBytes);
      for (int round = 0; round < kRounds; ++round) {
        std::memset(to.data(), 0, to.size());
        copyBulk(to.data(), from.data(), kBytes);
        if (to != from) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(BulkCopy, TheCApiCopiesAsWell) {
  auto from = pattern(2 * kBulkCopyBytes + 5, 7);
  std::vector<uint8_t> to(from.size());
  bridge32_copy_memory(to.data(), from.data(), from.size());
  EXPECT_EQ(to, from);
  bridge32_copy_memory(nullptr, nullptr, 0);  // nothing to copy, nothing touched
}

}  // namespace
}  // namespace bridge32
