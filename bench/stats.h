// The bench's figures: a measure's mean, median and 99th percentile, in microseconds, shared by
// the API rows (bench.c++) and the baselines beneath the API (baselines.c++).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <vector>

namespace bridge32::bench {

using Clock = std::chrono::steady_clock;

struct Stats {
  double meanUs, medianUs, p99Us;
};

inline Stats stats(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double s : samples) sum += s;
  // The nearest-rank percentile: the smallest sample that 99% of them do not exceed.
  size_t p99 = size_t(std::ceil(0.99 * double(samples.size()))) - 1;
  return {sum / samples.size(), samples[samples.size() / 2], samples[p99]};
}

inline double microseconds(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

}  // namespace bridge32::bench
