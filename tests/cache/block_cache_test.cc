// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/cache/block_cache.h"

#include "gtest/gtest.h"

namespace mesa::internal {
namespace {

BlockCache::Entry Column(size_t n) {
  auto c = std::make_shared<RowBatch>(std::vector<ColumnType>{ColumnType::kInt64});
  for (size_t i = 0; i < n; ++i) {
    c->column(0).AppendInt64(static_cast<int64_t>(i));
  }
  return c;
}

TEST(BlockCacheTest, HitsMissesAndReplacement) {
  BlockCache cache(1 << 20);
  uint64_t f = cache.NewFileId();
  EXPECT_NE(f, cache.NewFileId());
  EXPECT_EQ(cache.Lookup({f, 0, 0}), nullptr);
  cache.Insert({f, 0, 0}, Column(10));
  auto hit = cache.Lookup({f, 0, 0});
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->num_rows(), 10u);
  cache.Insert({f, 0, 0}, Column(20));
  EXPECT_EQ(cache.Lookup({f, 0, 0})->num_rows(), 20u);
  EXPECT_EQ(hit->num_rows(), 10u);  // the old entry stays valid for its holder
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 1u);
  // A probe that does not count its miss (the caller tries another key).
  EXPECT_EQ(cache.Lookup({f, 0, 3}, /*count_miss=*/false), nullptr);
  EXPECT_EQ(cache.misses(), 1u);
  // Entries of other column sets of the same block are other entries.
  EXPECT_EQ(cache.Lookup({f, 0, 1}), nullptr);
  EXPECT_EQ(cache.misses(), 2u);
}

TEST(BlockCacheTest, EvictsLeastRecentlyUsedWithinCapacity) {
  const size_t capacity = 16 * 64 * 1024;
  BlockCache cache(capacity);
  uint64_t f = cache.NewFileId();
  for (uint32_t b = 0; b < 2000; ++b) {
    cache.Insert({f, b, 0}, Column(1000));  // ~8 KiB each
    EXPECT_LE(cache.usage(), capacity);
  }
  size_t present = 0;
  for (uint32_t b = 0; b < 2000; ++b) present += cache.Lookup({f, b, 0}) != nullptr;
  EXPECT_GT(present, 50u);
  EXPECT_LT(present, 200u);
  // The newest entries survive.
  EXPECT_NE(cache.Lookup({f, 1999, 0}), nullptr);
  // An entry larger than a shard's share is not cached at all.
  cache.Insert({f, 0, 1}, Column(100000));
  EXPECT_EQ(cache.Lookup({f, 0, 1}), nullptr);
}

}  // namespace
}  // namespace mesa::internal
