// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "mesa/already_read_cache.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "tests/bloom/fake_read_history.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using ::mesa::testing::FakeReadHistory;
using ::mesa::testing::SplitMix64;

std::unique_ptr<AlreadyReadCache> NewCache(AlreadyReadCacheOptions options,
                                           ReadHistoryLoader* loader) {
  auto cache = AlreadyReadCache::Create(options, loader);
  EXPECT_TRUE(cache.ok()) << cache.status();
  return std::move(cache).value();
}

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

// Checks the cache's answer for `user` over `candidates` against the store:
// every read candidate must be reported read; returns the false positives.
int CheckAgainstStore(AlreadyReadCache* cache, FakeReadHistory* store,
                      int64_t user, const std::vector<int64_t>& candidates) {
  std::vector<bool> read;
  EXPECT_TRUE(cache->AreRead(user, candidates, &read).ok());
  EXPECT_EQ(read.size(), candidates.size());
  int false_positives = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const bool truth = store->Contains(user, candidates[i]);
    if (truth) {
      EXPECT_TRUE(read[i]) << "false negative: user " << user << " item "
                           << candidates[i];
    } else {
      false_positives += read[i];
    }
  }
  std::vector<int64_t> unread;
  EXPECT_TRUE(cache->FilterUnread(user, candidates, &unread).ok());
  std::vector<int64_t> want;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!read[i]) want.push_back(candidates[i]);
  }
  EXPECT_EQ(unread, want);
  return false_positives;
}

TEST(AlreadyReadCacheOptionsTest, ValidateNamesTheBadField) {
  EXPECT_TRUE(AlreadyReadCacheOptions().Validate().ok());
  auto expect_bad = [](AlreadyReadCacheOptions o, const std::string& field) {
    absl::Status s = o.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s;
  };
  AlreadyReadCacheOptions o;
  o.num_shards = 3;
  expect_bad(o, "num_shards");
  o = {};
  o.num_shards = 8192;
  expect_bad(o, "num_shards");
  o = {};
  o.target_false_positive_rate = 0;
  expect_bad(o, "target_false_positive_rate");
  o = {};
  o.target_false_positive_rate = 0.9;
  expect_bad(o, "target_false_positive_rate");
  o = {};
  o.block_bytes = 48;
  expect_bad(o, "block_bytes");
  o = {};
  o.overflow_fraction = 0;
  expect_bad(o, "overflow_fraction");
  o = {};
  o.background_threads = -1;
  expect_bad(o, "background_threads");
  o = {};
  o.memory_budget_bytes = 0;
  expect_bad(o, "memory_budget_bytes");
  o = {};
  o.name = std::string(300, 'x');
  expect_bad(o, "name");

  FakeReadHistory store;
  o = {};
  o.num_shards = 5;
  EXPECT_EQ(AlreadyReadCache::Create(o, &store).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AlreadyReadCache::Create({}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

class AlreadyReadCacheTest : public ::testing::TestWithParam<int> {
 protected:
  AlreadyReadCacheOptions Options() {
    AlreadyReadCacheOptions o;
    o.block_bytes = GetParam();
    o.num_shards = 4;
    o.write_through = store_.Writer();
    return o;
  }
  FakeReadHistory store_;
};

TEST_P(AlreadyReadCacheTest, ReadThroughMatchesTheStore) {
  SplitMix64 rng(mesa::testing::TestSeed(1));
  std::map<int64_t, std::vector<int64_t>> history;
  for (int64_t user = 1; user <= 20; ++user) {
    std::vector<int64_t> items;
    const size_t n = rng.Below(3000);
    for (size_t i = 0; i < n; ++i) items.push_back(rng.Item());
    store_.Add(user, items);
    history[user] = items;
  }
  auto cache = NewCache(Options(), &store_);
  int false_positives = 0, unread_candidates = 0;
  for (int round = 0; round < 3; ++round) {
    for (auto& [user, items] : history) {
      std::vector<int64_t> candidates;
      for (int i = 0; i < 300; ++i) candidates.push_back(rng.Item());
      for (size_t i = 0; i < items.size() && i < 100; ++i) {
        candidates.push_back(items[rng.Below(items.size())]);
      }
      false_positives += CheckAgainstStore(cache.get(), &store_, user, candidates);
      unread_candidates += 300;
    }
  }
  EXPECT_LE(false_positives, unread_candidates * 0.015 + 5);
  for (int64_t user = 1; user <= 20; ++user) EXPECT_EQ(store_.loads(user), 1);
  const AlreadyReadCacheStats s = cache->Stats();
  EXPECT_EQ(s.misses, 20u);
  EXPECT_EQ(s.loads, 20u);
  EXPECT_EQ(s.lookups, 20u * 3 * 2);  // AreRead and FilterUnread per check
  EXPECT_EQ(s.hits, s.lookups - 20);
  EXPECT_EQ(s.users, 20u);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_GT(s.bytes, 0u);
  EXPECT_GT(s.estimated_false_positive_rate, 0);
  EXPECT_LE(s.max_false_positive_rate, 0.0101);
}

TEST_P(AlreadyReadCacheTest, WriteThroughSetsBitsAndNeverInvalidates) {
  store_.Add(7, Range(1, 100));
  auto cache = NewCache(Options(), &store_);
  std::vector<int64_t> unread;
  ASSERT_TRUE(cache->FilterUnread(7, Range(1, 200), &unread).ok());
  EXPECT_EQ(store_.loads(7), 1);
  // Few enough new items that the filter does not need to grow.
  ASSERT_TRUE(cache->MarkRead(7, Range(100, 110)).ok());
  EXPECT_EQ(store_.writes(), 1);
  EXPECT_TRUE(store_.Contains(7, 105));  // written through to the store
  CheckAgainstStore(cache.get(), &store_, 7, Range(1, 300));
  cache->WaitForBackgroundWork();
  EXPECT_EQ(store_.loads(7), 1);  // the cached filter was updated, not dropped
  EXPECT_EQ(cache->Stats().items_marked, 10u);
  EXPECT_EQ(cache->Stats().rebuilds, 0u);
}

TEST_P(AlreadyReadCacheTest, MarkReadOfAnUncachedUserOnlyWritesThrough) {
  auto cache = NewCache(Options(), &store_);
  ASSERT_TRUE(cache->MarkRead(3, {10, 11, 12}).ok());
  EXPECT_EQ(store_.total_loads(), 0);
  CheckAgainstStore(cache.get(), &store_, 3, Range(1, 50));
  EXPECT_EQ(store_.loads(3), 1);
}

TEST_P(AlreadyReadCacheTest, FailedWriteThroughSetsNoBits) {
  auto cache = NewCache(Options(), &store_);
  std::vector<bool> read;
  ASSERT_TRUE(cache->AreRead(5, {1}, &read).ok());  // cache user 5, empty
  store_.set_fail_writes(true);
  const std::vector<int64_t> items = Range(1000, 1010);
  EXPECT_EQ(cache->MarkRead(5, items).code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(cache->AreRead(5, items, &read).ok());
  EXPECT_EQ(std::count(read.begin(), read.end(), true), 0);
}

TEST_P(AlreadyReadCacheTest, GrowthRebuildsWithANewSeed) {
  AlreadyReadCacheOptions o = Options();
  o.background_threads = 0;  // rebuilds run inline: deterministic
  auto cache = NewCache(o, &store_);
  store_.Add(9, Range(1, 1000));
  // Unread items the first filter calls read.
  std::vector<int64_t> probes = Range(1000000, 1200000);
  std::vector<int64_t> unread;
  ASSERT_TRUE(cache->FilterUnread(9, probes, &unread).ok());
  std::set<int64_t> kept(unread.begin(), unread.end());
  std::vector<int64_t> false_positives;
  for (int64_t p : probes) {
    if (!kept.contains(p)) false_positives.push_back(p);
  }
  ASSERT_GT(false_positives.size(), 100u);
  // Grow the user well past its filter: at least one rebuild.
  for (int64_t start = 1000; start < 3000; start += 50) {
    ASSERT_TRUE(cache->MarkRead(9, Range(start, start + 50)).ok());
  }
  AlreadyReadCacheStats s = cache->Stats();
  EXPECT_GE(s.rebuilds, 1u);
  EXPECT_EQ(s.loads, 1 + s.rebuilds);
  CheckAgainstStore(cache.get(), &store_, 9, Range(1, 4000));
  // With a new seed, the old false positives are mostly answered correctly.
  std::vector<bool> read;
  ASSERT_TRUE(cache->AreRead(9, false_positives, &read).ok());
  const auto still = std::count(read.begin(), read.end(), true);
  EXPECT_LT(still, static_cast<long>(false_positives.size()) / 10);
  EXPECT_LE(cache->Stats().max_false_positive_rate, 0.0141);
}

TEST_P(AlreadyReadCacheTest, BackgroundRebuildKeepsItemsMarkedMeanwhile) {
  AlreadyReadCacheOptions o = Options();
  o.overflow_fraction = 0.05;
  auto cache = NewCache(o, &store_);
  store_.Add(4, Range(1, 2000));
  CheckAgainstStore(cache.get(), &store_, 4, Range(1, 10));
  store_.set_load_delay(std::chrono::milliseconds(20));
  for (int64_t start = 2000; start < 6000; start += 100) {
    ASSERT_TRUE(cache->MarkRead(4, Range(start, start + 100)).ok());
    // Read-your-writes while rebuilds are in flight.
    std::vector<bool> read;
    ASSERT_TRUE(cache->AreRead(4, Range(1, start + 100), &read).ok());
    ASSERT_EQ(std::count(read.begin(), read.end(), false), 0) << start;
  }
  cache->WaitForBackgroundWork();
  EXPECT_GE(cache->Stats().rebuilds, 1u);
  CheckAgainstStore(cache.get(), &store_, 4, Range(1, 7000));
}

TEST_P(AlreadyReadCacheTest, MissAnsweredExactlyWhileLoadingInBackground) {
  FakeReadHistory store(/*exact_check=*/true);
  store.Add(11, Range(1, 500));
  store.set_load_delay(std::chrono::milliseconds(50));
  AlreadyReadCacheOptions o = Options();
  o.write_through = store.Writer();
  auto cache = NewCache(o, &store);
  std::vector<int64_t> unread;
  ASSERT_TRUE(cache->FilterUnread(11, Range(400, 600), &unread).ok());
  EXPECT_EQ(unread, Range(500, 600));  // exact: no false positive
  EXPECT_EQ(store.exact_checks(), 1);
  // Marked while the load is in flight: kept for the new filter.
  ASSERT_TRUE(cache->MarkRead(11, {100000}).ok());
  cache->WaitForBackgroundWork();
  EXPECT_EQ(store.loads(11), 1);
  CheckAgainstStore(cache.get(), &store, 11, Range(1, 1000));
  std::vector<bool> read;
  ASSERT_TRUE(cache->AreRead(11, {100000}, &read).ok());
  EXPECT_TRUE(read[0]);
  const AlreadyReadCacheStats s = cache->Stats();
  EXPECT_EQ(s.exact_checks, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(store.exact_checks(), 1);
}

TEST_P(AlreadyReadCacheTest, EvictionUnderATightBudgetKeepsAnswersRight) {
  AlreadyReadCacheOptions o = Options();
  o.memory_budget_bytes = 32 * 1024;  // a few users per shard
  auto cache = NewCache(o, &store_);
  SplitMix64 rng(mesa::testing::TestSeed(5));
  for (int64_t user = 1; user <= 200; ++user) {
    std::vector<int64_t> items;
    for (size_t i = 0, n = rng.Below(2000); i < n; ++i) items.push_back(rng.Item() % 100000);
    store_.Add(user, items);
  }
  for (int op = 0; op < 3000; ++op) {
    const int64_t user = 1 + static_cast<int64_t>(rng.Below(200));
    if (rng.Below(3) == 0) {
      std::vector<int64_t> items;
      for (int i = 0; i < 20; ++i) items.push_back(rng.Item() % 100000);
      ASSERT_TRUE(cache->MarkRead(user, items).ok());
      std::vector<bool> read;
      ASSERT_TRUE(cache->AreRead(user, items, &read).ok());
      ASSERT_EQ(std::count(read.begin(), read.end(), false), 0);
    } else {
      std::vector<int64_t> candidates;
      for (int i = 0; i < 100; ++i) candidates.push_back(rng.Item() % 100000);
      CheckAgainstStore(cache.get(), &store_, user, candidates);
    }
  }
  cache->WaitForBackgroundWork();
  const AlreadyReadCacheStats s = cache->Stats();
  EXPECT_GT(s.evictions, 100u);
  EXPECT_LE(s.bytes, s.budget_bytes + 4 * 8192);  // one oversized user a shard
  EXPECT_EQ(s.budget_bytes, 32u * 1024);
}

TEST_P(AlreadyReadCacheTest, InvalidateReloadsWritesThatBypassedTheCache) {
  auto cache = NewCache(Options(), &store_);
  CheckAgainstStore(cache.get(), &store_, 2, {1, 2, 3});
  store_.Add(2, {77777});  // another writer, not through the cache
  cache->Invalidate(2);
  CheckAgainstStore(cache.get(), &store_, 2, {77777, 3});
  EXPECT_EQ(store_.loads(2), 2);
  cache->Invalidate(12345);  // not cached: nothing happens
}

TEST_P(AlreadyReadCacheTest, LoadErrorsAreReturnedAndRetried) {
  auto cache = NewCache(Options(), &store_);
  store_.Add(6, {1, 2});
  store_.set_fail_loads(true);
  std::vector<int64_t> unread;
  EXPECT_EQ(cache->FilterUnread(6, {1, 2, 3}, &unread).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache->Stats().load_errors, 1u);
  EXPECT_EQ(cache->Stats().users, 0u);
  store_.set_fail_loads(false);
  ASSERT_TRUE(cache->FilterUnread(6, {1, 2, 3}, &unread).ok());
  EXPECT_EQ(unread, std::vector<int64_t>{3});
}

TEST_P(AlreadyReadCacheTest, ManyUsersAtOnceMatchOneAtATime) {
  SplitMix64 rng(mesa::testing::TestSeed(3));
  for (int64_t user = 1; user <= 40; ++user) {
    std::vector<int64_t> items;
    for (size_t i = 0, n = rng.Below(5000); i < n; ++i) items.push_back(rng.Item() % 20000);
    store_.Add(user, items);
  }
  auto cache = NewCache(Options(), &store_);
  std::vector<std::vector<int64_t>> candidates(40);
  std::vector<UserCandidates> requests;
  for (int64_t user = 1; user <= 40; ++user) {
    for (size_t i = 0, n = rng.Below(400); i < n; ++i) {
      candidates[user - 1].push_back(rng.Item() % 20000);
    }
    requests.push_back(UserCandidates{user, candidates[user - 1]});
  }
  std::vector<std::vector<int64_t>> many;
  ASSERT_TRUE(cache->FilterUnreadMany(requests, &many).ok());
  ASSERT_EQ(many.size(), 40u);
  for (int64_t user = 1; user <= 40; ++user) {
    std::vector<int64_t> one;
    ASSERT_TRUE(cache->FilterUnread(user, candidates[user - 1], &one).ok());
    EXPECT_EQ(many[user - 1], one) << user;
    for (int64_t c : one) EXPECT_FALSE(store_.Contains(user, c));
  }
  EXPECT_EQ(store_.total_loads(), 40);
}

TEST_P(AlreadyReadCacheTest, TenantsHaveIndependentBudgets) {
  AlreadyReadCacheOptions feed_options = Options();
  feed_options.name = "feed";
  AlreadyReadCacheOptions push_options = Options();
  push_options.name = "push";
  push_options.memory_budget_bytes = 8 * 1024;
  auto feed = NewCache(feed_options, &store_);
  auto push = NewCache(push_options, &store_);
  for (int64_t user = 1; user <= 50; ++user) store_.Add(user, Range(1, 300));
  for (int64_t user = 1; user <= 10; ++user) {
    CheckAgainstStore(feed.get(), &store_, user, {1, 500});
  }
  // The push job sweeps every user through its own small cache.
  for (int round = 0; round < 3; ++round) {
    for (int64_t user = 1; user <= 50; ++user) {
      CheckAgainstStore(push.get(), &store_, user, {1, 500});
    }
  }
  const AlreadyReadCacheStats push_stats = push->Stats();
  EXPECT_EQ(push_stats.name, "push");
  EXPECT_GT(push_stats.evictions, 0u);
  const AlreadyReadCacheStats feed_stats = feed->Stats();
  EXPECT_EQ(feed_stats.name, "feed");
  EXPECT_EQ(feed_stats.evictions, 0u);
  EXPECT_EQ(feed_stats.users, 10u);
}

TEST_P(AlreadyReadCacheTest, EmptyRequestsAndUnknownUsers) {
  auto cache = NewCache(Options(), &store_);
  std::vector<int64_t> unread = {42};
  ASSERT_TRUE(cache->FilterUnread(1, {}, &unread).ok());
  EXPECT_TRUE(unread.empty());
  ASSERT_TRUE(cache->MarkRead(1, {}).ok());
  EXPECT_EQ(store_.writes(), 0);
  ASSERT_TRUE(cache->FilterUnread(999, {5, 6}, &unread).ok());
  EXPECT_EQ(unread, (std::vector<int64_t>{5, 6}));
  std::vector<std::vector<int64_t>> many;
  ASSERT_TRUE(cache->FilterUnreadMany({}, &many).ok());
  EXPECT_TRUE(many.empty());
  for (int64_t u : {int64_t{0}, int64_t{-1}, int64_t{1} << 62}) {
    EXPECT_GE(cache->ShardOf(u), 0);
    EXPECT_LT(cache->ShardOf(u), 4);
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, AlreadyReadCacheTest, ::testing::Values(64, 32),
                         [](const auto& info) {
                           return "Block" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace mesa
