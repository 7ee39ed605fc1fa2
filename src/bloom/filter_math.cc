// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/filter_math.h"

#include <algorithm>
#include <cmath>

namespace mesa::internal {

double SplitBlockFalsePositiveRate(int block_bytes, double load) {
  if (load <= 0) return 0;
  const double keep = 1.0 - 1.0 / (block_bytes == 64 ? 64.0 : 32.0);
  // Past this load every block is saturated: the mean-field value equals
  // the Poisson mixture to double precision (and exp(-load) would underflow).
  if (load > 600) return std::pow(1.0 - std::pow(keep, load), 8);
  // The Poisson mixture, summed by recurrence up to 12 standard deviations
  // above the mean (a few hundred multiply-adds; lgamma() is avoided, it is
  // not thread-safe).
  const int hi = static_cast<int>(load + 12 * std::sqrt(load) + 30);
  double p = std::exp(-load);  // P(k = 0)
  double miss = 1.0;           // (1 - 1/w)^k
  double rate = 0;
  for (int k = 1; k <= hi; ++k) {
    p *= load / k;
    miss *= keep;
    double b = 1.0 - miss;
    b *= b;
    b *= b;
    rate += p * (b * b);
  }
  return std::min(rate, 1.0);
}

double SplitBlockLoadForRate(int block_bytes, double fp_rate) {
  // The rate grows with the load; bisect.
  double lo = 0, hi = 4096;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    if (SplitBlockFalsePositiveRate(block_bytes, mid) <= fp_rate) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace mesa::internal
