// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The already-read cache backed by a mesa table: read-through loads the
// user's history from the table, write-through commits rows to it, and no
// read item is ever reported unread.

#include "mesa/read_history_store.h"

#include <atomic>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "tests/bloom/slow_sync_fs.h"
#include "tests/testing/fault_injection_fs.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

class ReadHistoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.background_threads = 0;
    options.fs = fs_.get();
    db_ = *Database::Open(options, "/db");
    store_ = *MesaReadHistoryStore::Open(db_.get(), "reads");
  }

  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  std::unique_ptr<Database> db_;
  std::unique_ptr<MesaReadHistoryStore> store_;
};

TEST_F(ReadHistoryStoreTest, ReadThroughAndWriteThroughAgainstTheTable) {
  std::mt19937_64 rng(testing::TestSeed(5));
  std::map<int64_t, std::set<int64_t>> truth;
  for (int user = 1; user <= 20; ++user) {
    std::vector<int64_t> items;
    for (int i = 0; i < user * 30; ++i) items.push_back(1 + rng() % 100000);
    ASSERT_TRUE(store_->Write(user, items, 1700000000000).ok());
    truth[user].insert(items.begin(), items.end());
  }
  auto loaded = store_->LoadItems(7);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(std::set<int64_t>(loaded->begin(), loaded->end()), truth[7]);

  AlreadyReadCacheOptions options;
  options.background_threads = 0;
  options.write_through = store_->Writer();
  auto cache = AlreadyReadCache::Create(options, store_.get());
  ASSERT_TRUE(cache.ok()) << cache.status();
  // Write-through: the new reads reach the table and the cached filter.
  std::vector<int64_t> fresh = {200001, 200002};
  std::vector<int64_t> before;
  ASSERT_TRUE((*cache)->FilterUnread(3, fresh, &before).ok());  // caches user 3
  ASSERT_TRUE((*cache)->MarkRead(3, fresh).ok());
  std::vector<int64_t> after;
  ASSERT_TRUE((*cache)->FilterUnread(3, fresh, &after).ok());
  EXPECT_TRUE(after.empty());  // bits set in place, no reload needed
  truth[3].insert(fresh.begin(), fresh.end());
  auto reread = store_->LoadItems(3);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(std::set<int64_t>(reread->begin(), reread->end()), truth[3]);

  size_t false_positives = 0, unread_candidates = 0;
  for (int user = 1; user <= 20; ++user) {
    std::vector<int64_t> candidates;
    for (int i = 0; i < 400; ++i) candidates.push_back(1 + rng() % 200005);
    candidates.push_back(*truth[user].begin());
    std::vector<int64_t> unread;
    ASSERT_TRUE((*cache)->FilterUnread(user, candidates, &unread).ok());
    std::set<int64_t> kept(unread.begin(), unread.end());
    auto exact = store_->ExactCheck(user, candidates);
    ASSERT_TRUE(exact.ok());
    for (size_t i = 0; i < candidates.size(); ++i) {
      bool read = truth[user].count(candidates[i]) > 0;
      EXPECT_EQ((*exact)[i], read);
      if (read) {
        EXPECT_EQ(kept.count(candidates[i]), 0u)
            << "user " << user << " read " << candidates[i]
            << " but the cache calls it unread";
      } else {
        ++unread_candidates;
        false_positives += kept.count(candidates[i]) == 0;
      }
    }
  }
  EXPECT_LT(false_positives, unread_candidates / 20);
}

TEST_F(ReadHistoryStoreTest, RejectsATableWithAnotherSchema) {
  auto other =
      *Schema::Create({{"k", ColumnType::kString, Aggregation::kNone}}, {});
  ASSERT_TRUE(db_->CreateTable("other", other).ok());
  auto store = MesaReadHistoryStore::Open(db_.get(), "other");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
}

// Concurrent writers share commits: while one commit waits on a slow
// directory sync, the others queue, and go in together.
TEST(ReadHistoryStoreGroupCommitTest, ConcurrentWritesShareCommits) {
  auto mem = NewMemFileSystem();
  testing::SlowSyncFileSystem fs(mem.get(), std::chrono::milliseconds(20));
  Options options;
  options.background_threads = 0;
  options.fs = &fs;
  auto db = *Database::Open(options, "/db");
  auto store = *MesaReadHistoryStore::Open(db.get(), "reads");
  const uint64_t v0 = db->LatestVersion();
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      std::vector<int64_t> items = {t * 10 + 1, t * 10 + 2};
      if (!store->Write(/*user=*/t % 3, items, 1700000000000 + t).ok()) {
        ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  // The first commit takes 20 ms or more; everyone else arrives meanwhile.
  EXPECT_LT(db->LatestVersion() - v0, uint64_t{kThreads});
  for (int user = 0; user < 3; ++user) {
    std::set<int64_t> want;
    for (int t = user; t < kThreads; t += 3) {
      want.insert({t * 10 + 1, t * 10 + 2});
    }
    auto got = store->LoadItems(user);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(std::set<int64_t>(got->begin(), got->end()), want);
  }
}

TEST(ReadHistoryStoreGroupCommitTest, AFailedCommitFailsEveryWriterInIt) {
  testing::FaultInjectionFileSystem fs(NewMemFileSystem());
  Options options;
  options.background_threads = 0;
  options.fs = &fs;
  auto db = *Database::Open(options, "/db");
  auto store = *MesaReadHistoryStore::Open(db.get(), "reads");
  fs.FailMutation(fs.mutation_count() + 1, /*sticky=*/true);
  std::vector<int64_t> items = {1, 2, 3};
  EXPECT_FALSE(store->Write(7, items).ok());
  EXPECT_FALSE(store->Write(8, items).ok());
  fs.ClearFaults();
  EXPECT_TRUE(store->LoadItems(7)->empty());
  ASSERT_TRUE(store->Write(7, items).ok());
  EXPECT_EQ(*store->LoadItems(7), items);
}

}  // namespace
}  // namespace mesa
