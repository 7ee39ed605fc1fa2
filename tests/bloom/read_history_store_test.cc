// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The already-read cache backed by a mesa table: read-through loads the
// user's history from the table, write-through commits rows to it, and no
// read item is ever reported unread.

#include "mesa/read_history_store.h"

#include <random>
#include <set>

#include "gtest/gtest.h"
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
  auto other = *Schema::Create({{"k", ColumnType::kString, Aggregation::kNone}},
                               {});
  ASSERT_TRUE(db_->CreateTable("other", other).ok());
  auto store = MesaReadHistoryStore::Open(db_.get(), "other");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mesa
