// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/filter_math.h"

#include "gtest/gtest.h"

namespace mesa::internal {
namespace {

double BitsPerItemAt(int block_bytes, double fp) {
  return block_bytes * 8 / SplitBlockLoadForRate(block_bytes, fp);
}

TEST(FilterMathTest, KnownPointsOfTheSplitBlockCurve) {
  // Parquet's table for 32-byte blocks: 1 % at about 10.5 bits per item.
  EXPECT_NEAR(BitsPerItemAt(32, 0.01), 10.5, 0.1);
  EXPECT_NEAR(BitsPerItemAt(32, 0.001), 16.9, 0.2);
  // 64-byte blocks need less for the same rate.
  EXPECT_LT(BitsPerItemAt(64, 0.01), 10.2);
  EXPECT_GT(BitsPerItemAt(64, 0.01), 9.8);
}

TEST(FilterMathTest, RateGrowsWithLoadAndInverts) {
  for (int bytes : {32, 64}) {
    double previous = 0;
    for (double load = 0.5; load < 200; load *= 1.5) {
      const double rate = SplitBlockFalsePositiveRate(bytes, load);
      EXPECT_GT(rate, previous);
      EXPECT_LE(rate, 1.0);
      previous = rate;
    }
    for (double fp : {0.1, 0.01, 0.001, 1e-5}) {
      const double load = SplitBlockLoadForRate(bytes, fp);
      EXPECT_NEAR(SplitBlockFalsePositiveRate(bytes, load), fp, fp * 1e-6);
    }
  }
  EXPECT_EQ(SplitBlockFalsePositiveRate(64, 0), 0);
  EXPECT_NEAR(SplitBlockFalsePositiveRate(64, 1e6), 1.0, 1e-9);
}

}  // namespace
}  // namespace mesa::internal
