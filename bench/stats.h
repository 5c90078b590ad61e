// The bench's figures: a measure's mean, median and 99th percentile, in microseconds, shared by
// the API rows (bench.c++) and the baselines beneath the API (baselines.c++).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <utility>
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

// The first tenth of a measure's calls warm up, and are not counted.
inline int warmUpCalls(int iterations) { return std::max(1, iterations / 10); }

// `call` timed `iterations` times.
template <typename Call>
Stats timed(Call&& call, int iterations) {
  std::vector<double> samples;
  for (int i = -warmUpCalls(iterations); i < iterations; ++i) {
    auto start = Clock::now();
    call();
    if (i >= 0) samples.push_back(microseconds(Clock::now() - start));
  }
  return stats(samples);
}

// Two calls, alternating call by call, so that the machine's drift (these machines are noisy)
// weighs on both alike: their ratio is the figure that matters.
template <typename First, typename Second>
std::pair<Stats, Stats> alternatingPair(First&& first, Second&& second, int iterations) {
  std::vector<double> firsts, seconds;
  for (int i = -warmUpCalls(iterations); i < iterations; ++i) {
    auto start = Clock::now();
    first();
    auto middle = Clock::now();
    second();
    auto end = Clock::now();
    if (i >= 0) {
      firsts.push_back(microseconds(middle - start));
      seconds.push_back(microseconds(end - middle));
    }
  }
  return {stats(firsts), stats(seconds)};
}

}  // namespace bridge32::bench
