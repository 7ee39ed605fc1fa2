// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Concurrency tests of AlreadyReadCache, run under ThreadSanitizer in CI.
// Each finishes in well under a second in a release build.

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "mesa/already_read_cache.h"
#include "mesa/file_system.h"
#include "tests/bloom/fake_read_history.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using ::mesa::testing::FakeReadHistory;
using ::mesa::testing::SplitMix64;

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

void RunThreads(int n, const std::function<void(int)>& body) {
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  }
  for (auto& th : threads) th.join();
}

TEST(AlreadyReadCacheConcurrencyTest, ConcurrentMissesShareOneLoad) {
  FakeReadHistory store;
  for (int64_t user = 1; user <= 4; ++user) store.Add(user, Range(1, 100 * user));
  store.set_load_delay(std::chrono::milliseconds(30));
  AlreadyReadCacheOptions o;
  o.num_shards = 2;
  auto cache = AlreadyReadCache::Create(o, &store).value();
  std::atomic<int> wrong{0};
  RunThreads(8, [&](int t) {
    for (int k = 0; k < 4; ++k) {
      const int64_t user = 1 + (t + k) % 4;
      std::vector<int64_t> unread;
      if (!cache->FilterUnread(user, Range(1, 100 * user + 10), &unread).ok() ||
          unread.size() > 10) {
        ++wrong;
      }
    }
  });
  EXPECT_EQ(wrong.load(), 0);
  for (int64_t user = 1; user <= 4; ++user) EXPECT_EQ(store.loads(user), 1) << user;
  EXPECT_EQ(cache->Stats().loads, 4u);
}

TEST(AlreadyReadCacheConcurrencyTest, ConcurrentMissesWithExactCheckLoadOnce) {
  FakeReadHistory store(/*exact_check=*/true);
  store.Add(1, Range(1, 1000));
  store.set_load_delay(std::chrono::milliseconds(30));
  AlreadyReadCacheOptions o;
  o.background_threads = 2;
  auto cache = AlreadyReadCache::Create(o, &store).value();
  std::atomic<int> wrong{0};
  RunThreads(6, [&](int) {
    for (int k = 0; k < 20; ++k) {
      std::vector<int64_t> unread;
      if (!cache->FilterUnread(1, Range(990, 1010), &unread).ok() ||
          unread.size() < 10 || unread.front() < 1000) {
        ++wrong;
      }
    }
  });
  cache->WaitForBackgroundWork();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(store.loads(1), 1);
}

// Writers own disjoint users and check read-your-writes; readers check every
// user's base history. A small budget and a small overflow fraction keep
// evictions and background rebuilds happening throughout.
TEST(AlreadyReadCacheConcurrencyTest, ReadersWritersRebuildsAndEvictions) {
  FakeReadHistory store;
  constexpr int kUsers = 64;
  for (int64_t user = 1; user <= kUsers; ++user) {
    store.Add(user, Range(user * 1000000, user * 1000000 + 100));
  }
  AlreadyReadCacheOptions o;
  o.num_shards = 4;
  o.memory_budget_bytes = 16 * 1024;
  o.overflow_fraction = 0.1;
  o.background_threads = 2;
  o.write_through = store.Writer();
  auto cache = AlreadyReadCache::Create(o, &store).value();
  constexpr int kThreads = 4;
  std::atomic<int> false_negatives{0}, errors{0};
  RunThreads(kThreads, [&](int t) {
    SplitMix64 rng(1000 + t);
    int64_t next_item = 1;
    for (int op = 0; op < 400; ++op) {
      // Users t+1, t+1+kThreads, ... are this thread's to write.
      const int64_t own = 1 + t + kThreads * static_cast<int64_t>(rng.Below(kUsers / kThreads));
      const int64_t any = 1 + static_cast<int64_t>(rng.Below(kUsers));
      switch (rng.Below(4)) {
        case 0: {
          std::vector<int64_t> items;
          for (int i = 0; i < 16; ++i) items.push_back(-(next_item++));
          if (!cache->MarkRead(own, items).ok()) ++errors;
          std::vector<bool> read;
          if (!cache->AreRead(own, items, &read).ok()) ++errors;
          for (bool r : read) false_negatives += !r;
          break;
        }
        case 1: {
          std::vector<int64_t> base = Range(any * 1000000, any * 1000000 + 100);
          std::vector<int64_t> unread;
          if (!cache->FilterUnread(any, base, &unread).ok()) ++errors;
          false_negatives += static_cast<int>(unread.size());
          break;
        }
        case 2: {
          std::vector<int64_t> c1 = Range(any * 1000000, any * 1000000 + 50);
          std::vector<int64_t> c2 = Range(own * 1000000 + 50, own * 1000000 + 100);
          std::vector<UserCandidates> requests = {{any, c1}, {own, c2}};
          std::vector<std::vector<int64_t>> unread;
          if (!cache->FilterUnreadMany(requests, &unread).ok()) ++errors;
          for (const auto& u : unread) false_negatives += static_cast<int>(u.size());
          break;
        }
        default:
          if (rng.Below(8) == 0) cache->Invalidate(any);
          (void)cache->Stats();
          break;
      }
    }
  });
  cache->WaitForBackgroundWork();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(false_negatives.load(), 0);
  const AlreadyReadCacheStats s = cache->Stats();
  EXPECT_GT(s.evictions, 0u);
  EXPECT_GT(s.rebuilds, 0u);
}

TEST(AlreadyReadCacheConcurrencyTest, SnapshotWhileWriting) {
  FakeReadHistory store;
  for (int64_t user = 1; user <= 16; ++user) store.Add(user, Range(1, 300));
  AlreadyReadCacheOptions o;
  o.write_through = store.Writer();
  o.overflow_fraction = 0.1;
  auto cache = AlreadyReadCache::Create(o, &store).value();
  auto fs = NewMemFileSystem();
  std::atomic<int> errors{0};
  RunThreads(3, [&](int t) {
    for (int op = 0; op < 100; ++op) {
      if (t == 0 && op % 10 == 0) {
        auto file = fs->NewWritableFile("/snap").value();
        if (!cache->SaveSnapshot(file.get()).ok() || !file->Close().ok()) ++errors;
      } else {
        const int64_t user = 1 + (op * 7 + t) % 16;
        if (!cache->MarkRead(user, Range(1000 + op * 10, 1010 + op * 10)).ok()) {
          ++errors;
        }
        std::vector<int64_t> unread;
        if (!cache->FilterUnread(user, Range(1, 300), &unread).ok() ||
            !unread.empty()) {
          ++errors;
        }
      }
    }
  });
  cache->WaitForBackgroundWork();
  EXPECT_EQ(errors.load(), 0);
  auto copy = AlreadyReadCache::Create(AlreadyReadCacheOptions(), &store).value();
  auto file = fs->NewRandomAccessFile("/snap").value();
  ASSERT_TRUE(copy->LoadSnapshot(*file).ok());
  EXPECT_GT(copy->Stats().users, 0u);
}

}  // namespace
}  // namespace mesa
