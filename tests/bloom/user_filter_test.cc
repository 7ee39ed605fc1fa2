// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/user_filter.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "src/bloom/filter_math.h"
#include "src/bloom/probe.h"
#include "tests/bloom/fake_read_history.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

using ::mesa::testing::SplitMix64;

constexpr double kTarget = 0.01;

// Items from one stream, probes from another: with ids below 2^62 the two
// never meet in practice, so every "maybe" for a probe is a false positive.
std::vector<int64_t> RandomItems(SplitMix64* rng, size_t n) {
  std::vector<int64_t> items(n);
  for (auto& x : items) x = rng->Item();
  return items;
}

double MeasuredRate(const UserFilter& filter, uint64_t seed, int probes) {
  SplitMix64 rng(seed ^ 0xabcdef);
  int positives = 0;
  for (int i = 0; i < probes; ++i) positives += filter.MayContain(rng.Item());
  return static_cast<double>(positives) / probes;
}

class UserFilterLayoutTest : public ::testing::TestWithParam<int> {
 protected:
  int block_bytes() const { return GetParam(); }
  FilterPolicy policy() const {
    return FilterPolicy::Make(block_bytes(), kTarget, 0.25);
  }
};

TEST_P(UserFilterLayoutTest, FalsePositiveRateWithinTargetFrom1To1MItems) {
  const FilterPolicy p = policy();
  for (size_t n : {size_t{1}, size_t{10}, size_t{100}, size_t{1000},
                   size_t{10000}, size_t{100000}, size_t{1000000}}) {
    SplitMix64 rng(mesa::testing::TestSeed(n));
    const std::vector<int64_t> items = RandomItems(&rng, n);
    auto filter = UserFilter::Build(p, rng.Next(), items);
    for (size_t i = 0; i < n; i += 1 + n / 1000) {
      ASSERT_TRUE(filter->MayContain(items[i]));
    }
    const double rate = MeasuredRate(*filter, n, 200000);
    EXPECT_LE(rate, 1.5 * kTarget) << n << " items";
    EXPECT_EQ(filter->overflow_stage(), nullptr);
    const double bits = 8.0 * filter->filter_bytes() / n;
    if (n >= 100000) {
      // Large filters hit the target closely at the predicted size.
      EXPECT_GE(rate, 0.6 * kTarget) << n;
      EXPECT_LE(bits, block_bytes() == 64 ? 10.2 : 10.6) << n;
    }
  }
}

TEST_P(UserFilterLayoutTest, SequentialItemsHashAsWellAsRandomOnes) {
  std::vector<int64_t> items(200000);
  for (size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int64_t>(i) + 1;
  auto filter = UserFilter::Build(policy(), 42, items);
  int positives = 0;
  const int probes = 200000;
  for (int i = 0; i < probes; ++i) positives += filter->MayContain(1000000 + i);
  EXPECT_LE(static_cast<double>(positives) / probes, 1.5 * kTarget);
  for (int64_t x : items) ASSERT_TRUE(filter->MayContain(x));
}

TEST_P(UserFilterLayoutTest, FullOverflowStageStaysWithinOneAndAHalfTarget) {
  const FilterPolicy p = policy();
  SplitMix64 rng(mesa::testing::TestSeed(7));
  auto filter = UserFilter::Build(p, rng.Next(), RandomItems(&rng, 50000));
  // Fill the main stage, then the overflow stage, to their capacities.
  while (!filter->NeedsRebuild()) {
    filter->Insert(RandomItems(&rng, 64), p);
  }
  ASSERT_NE(filter->overflow_stage(), nullptr);
  EXPECT_GE(filter->overflow_items(), filter->overflow_capacity());
  EXPECT_LE(filter->overflow_capacity(),
            static_cast<uint64_t>(0.25 * filter->main_capacity()) + 64);
  const double expected = filter->EstimatedFalsePositiveRate();
  EXPECT_LE(expected, 1.45 * kTarget);
  const double rate = MeasuredRate(*filter, 7, 400000);
  EXPECT_LE(rate, 1.5 * kTarget);
  EXPECT_NEAR(rate, expected, 0.2 * expected);
}

// A user who grows from 10 to 1 M reads, rebuilt from the "store" each time
// the filter asks: the rate stays bounded and memory stays near 10-12 bits
// per item amortized.
TEST_P(UserFilterLayoutTest, UserGrowingFrom10To1MItems) {
  const FilterPolicy p = policy();
  SplitMix64 rng(mesa::testing::TestSeed(11));
  std::vector<int64_t> store = RandomItems(&rng, 10);
  auto filter = UserFilter::Build(p, rng.Next(), store);
  int rebuilds = 0;
  double bit_item_sum = 0, item_sum = 0;
  size_t next_checkpoint = 100;
  while (store.size() < 1000000) {
    const size_t batch = std::max<size_t>(1, store.size() / 64);
    const std::vector<int64_t> fresh = RandomItems(&rng, batch);
    store.insert(store.end(), fresh.begin(), fresh.end());
    if (filter->Insert(fresh, p)) {
      filter = UserFilter::Build(p, rng.Next(), store);  // a new seed
      ++rebuilds;
    }
    bit_item_sum += 8.0 * filter->filter_bytes() / store.size() * batch;
    item_sum += batch;
    if (store.size() >= next_checkpoint) {
      next_checkpoint *= 4;
      for (size_t i = 0; i < store.size(); i += 1 + store.size() / 2000) {
        ASSERT_TRUE(filter->MayContain(store[i])) << store.size();
      }
      EXPECT_LE(MeasuredRate(*filter, store.size(), 200000), 1.5 * kTarget)
          << store.size() << " items";
    }
  }
  for (int64_t x : store) ASSERT_TRUE(filter->MayContain(x));
  EXPECT_LE(MeasuredRate(*filter, 1, 200000), 1.5 * kTarget);
  // 1.25x growth per rebuild: about log(1e5) / log(1.25) rebuilds.
  EXPECT_GT(rebuilds, 30);
  EXPECT_LT(rebuilds, 80);
  EXPECT_LE(bit_item_sum / item_sum, 13.0);
}

TEST_P(UserFilterLayoutTest, NeverAFalseNegativeUnderRandomGrowth) {
  SplitMix64 rng(mesa::testing::TestSeed(13));
  for (int trial = 0; trial < 20; ++trial) {
    // Small overflow fractions make the overflow stage fill quickly.
    const double fraction = 0.05 + 0.1 * static_cast<double>(rng.Below(10));
    const FilterPolicy p = FilterPolicy::Make(block_bytes(), 0.02, fraction);
    std::vector<int64_t> all = RandomItems(&rng, rng.Below(300));
    auto filter = UserFilter::Build(p, rng.Next(), all);
    for (int step = 0; step < 30; ++step) {
      std::vector<int64_t> batch = RandomItems(&rng, rng.Below(100));
      // Re-reads of known items must not grow the filter.
      for (int k = 0; k < 5 && !all.empty(); ++k) {
        batch.push_back(all[rng.Below(all.size())]);
      }
      all.insert(all.end(), batch.begin(), batch.end());
      const bool needs_rebuild = filter->Insert(batch, p);
      if (needs_rebuild && rng.Below(2) == 0) {
        filter = UserFilter::Build(p, rng.Next(), all);
      }
      for (int64_t x : all) ASSERT_TRUE(filter->MayContain(x));
      // The probe kernels agree with MayContain, members and non-members.
      std::vector<int64_t> candidates = RandomItems(&rng, 200);
      for (int k = 0; k < 200 && !all.empty(); ++k) {
        candidates.push_back(all[rng.Below(all.size())]);
      }
      const size_t words = ProbeBitmapWords(candidates.size());
      std::vector<uint64_t> scalar(words, ~uint64_t{0}), simd(words);
      const ProbeRequest r{filter.get(), candidates.data(), candidates.size()};
      ProbeFilters(absl::MakeConstSpan(&r, 1), scalar.data(),
                   ProbeKernel::kScalar);
      ProbeFilters(absl::MakeConstSpan(&r, 1), simd.data(), ProbeKernel::kAuto);
      for (size_t i = 0; i < candidates.size(); ++i) {
        ASSERT_EQ(ProbeBit(scalar.data(), i), filter->MayContain(candidates[i]));
        ASSERT_EQ(ProbeBit(simd.data(), i), ProbeBit(scalar.data(), i));
      }
      // Bits past the last candidate are written as 0.
      if (candidates.size() % 64 != 0) {
        ASSERT_EQ(scalar.back() >> (candidates.size() % 64), 0u);
      }
    }
  }
}

TEST_P(UserFilterLayoutTest, DuplicatesDoNotCountTowardsCapacity) {
  const FilterPolicy p = policy();
  std::vector<int64_t> items = {1, 2, 3, 4, 5};
  auto filter = UserFilter::Build(p, 9, items);
  EXPECT_EQ(filter->item_count(), 5u);
  for (int i = 0; i < 100; ++i) filter->Insert(items, p);
  EXPECT_EQ(filter->item_count(), 5u);
  EXPECT_EQ(filter->overflow_stage(), nullptr);
}

TEST_P(UserFilterLayoutTest, ProbesAcrossManyFiltersInOneStream) {
  const FilterPolicy p = policy();
  // Filters of the other block size too: a snapshot can mix them.
  const FilterPolicy other =
      FilterPolicy::Make(block_bytes() == 64 ? 32 : 64, kTarget, 0.25);
  SplitMix64 rng(mesa::testing::TestSeed(17));
  for (bool mixed : {false, true}) {
    std::vector<std::shared_ptr<UserFilter>> filters;
    std::vector<std::vector<int64_t>> candidates;
    for (int u = 0; u < 30; ++u) {
      std::vector<int64_t> items = RandomItems(&rng, rng.Below(5000));
      const FilterPolicy& fp = mixed && u % 2 == 1 ? other : p;
      filters.push_back(UserFilter::Build(fp, rng.Next(), items));
      if (u % 3 == 0) {
        filters.back()->Insert(RandomItems(&rng, items.size() / 2 + 30), fp);
      }
      std::vector<int64_t> c = RandomItems(&rng, rng.Below(u == 7 ? 3000 : 50));
      for (size_t k = 0; k < items.size() && k < 20; ++k) c.push_back(items[k]);
      candidates.push_back(std::move(c));
    }
    std::vector<ProbeRequest> requests;
    size_t total = 0;
    for (size_t u = 0; u < filters.size(); ++u) {
      requests.push_back(ProbeRequest{filters[u].get(), candidates[u].data(),
                                      candidates[u].size()});
      total += candidates[u].size();
    }
    std::vector<uint64_t> maybe(ProbeBitmapWords(total));
    ProbeFilters(requests, maybe.data());
    size_t at = 0;
    for (size_t u = 0; u < filters.size(); ++u) {
      for (size_t i = 0; i < candidates[u].size(); ++i, ++at) {
        ASSERT_EQ(ProbeBit(maybe.data(), at),
                  filters[u]->MayContain(candidates[u][i]))
            << "mixed " << mixed << " user " << u << " candidate " << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, UserFilterLayoutTest, ::testing::Values(64, 32),
                         [](const auto& info) {
                           return "Block" + std::to_string(info.param);
                         });

TEST(FilterPolicyTest, SizesFromTheRateCurve) {
  const FilterPolicy p = FilterPolicy::Make(64, 0.01, 0.25);
  EXPECT_NEAR(p.main_load, SplitBlockLoadForRate(64, 0.01), 1e-9);
  EXPECT_LT(p.overflow_load, p.main_load);
  EXPECT_EQ(p.MainBlocksFor(0), 1u);
  EXPECT_EQ(p.MainBlocksFor(1), 1u);
  const uint32_t blocks = p.MainBlocksFor(100000);
  EXPECT_GE(FilterPolicy::CapacityOf(blocks, p.main_load), 100000u);
  EXPECT_LT(FilterPolicy::CapacityOf(blocks - 1, p.main_load), 100000u);
  uint32_t ob;
  uint64_t oc;
  p.OverflowShape(100000, &ob, &oc);
  EXPECT_GE(oc, 25000u);
  EXPECT_LT(oc, 25000u + p.overflow_load + 1);
}

}  // namespace
}  // namespace mesa::internal
