// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// ScanCursor::NextView: the same rows as Next for every kind of scan; a
// bounded scan over one delta hands out views of the block cache's
// columns that stay valid while the cursor holds them, even once the
// cache has evicted their entry; batches of any size, across blocks, and
// resume tokens taken between views.

#include <random>

#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"
#include "tests/db/query_model.h"

namespace mesa {
namespace {

using testing::IdenticalRows;
using testing::QueryColumns;
using testing::TypesOf;

Schema AdsLike() {
  return *Schema::Create({{"adv", ColumnType::kInt64},
                          {"date", ColumnType::kInt32},
                          {"pub", ColumnType::kInt64},
                          {"country", ColumnType::kString}},
                         {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                          {"cost", ColumnType::kDouble, Aggregation::kSum},
                          {"best", ColumnType::kString, Aggregation::kMax}});
}

// Appends the views of the cursor's last NextView to `out`.
void AppendViews(const ScanCursor& scan, RowBatch* out) {
  const std::vector<ColumnView>& views = scan.views();
  ASSERT_EQ(views.size(), out->num_columns());
  for (size_t c = 0; c < views.size(); ++c) {
    const ColumnView& v = views[c];
    ASSERT_EQ(v.type(), out->column(c).type());
    ASSERT_EQ(v.size(), views[0].size());
    for (size_t r = 0; r < v.size(); ++r) {
      if (v.is_string()) {
        out->column(c).AppendString(v.GetString(r));
      } else {
        out->column(c).AppendWord(v.GetWord(r));
      }
    }
  }
}

class ScanViewTest : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    fs_ = NewMemFileSystem();
    Options o;
    o.fs = fs_.get();
    o.background_threads = 0;
    o.block_cache_bytes = GetParam();
    o.history_versions = 1;  // CompactNow folds everything into one base
    db_ = *Database::Open(o, "/db");
    TableOptions topts;
    topts.delta_file.block_size = 512;  // many blocks per advertiser
    table_ = *db_->CreateTable("ads", AdsLike(), topts);
    std::mt19937_64 rng(11);
    const char* countries[] = {"US", "DE", "JP", "BR", "a longer country"};
    for (int b = 0; b < 3; ++b) {
      RowBatch rows(AdsLike());
      for (int i = 0; i < 4000; ++i) {
        rows.column(0).AppendInt64(1 + static_cast<int64_t>(rng() % 8));
        rows.column(1).AppendInt32(20000 + static_cast<int32_t>(rng() % 40));
        rows.column(2).AppendInt64(static_cast<int64_t>(rng() % 50));
        rows.column(3).AppendString(countries[rng() % 5]);
        rows.column(4).AppendInt64(static_cast<int64_t>(rng() % 10));
        rows.column(5).AppendDouble(static_cast<double>(rng() % 1000) / 8);
        rows.column(6).AppendString(std::string(1 + rng() % 3, 'a' + rng() % 26));
      }
      UpdateBatch batch;
      ASSERT_TRUE(batch.AddRows(*table_, rows).ok());
      ASSERT_TRUE(db_->Commit(batch).ok());
    }
    // A fourth delta, the only one with advertiser 9.
    RowBatch rows(AdsLike());
    for (int i = 0; i < 300; ++i) {
      rows.column(0).AppendInt64(9);
      rows.column(1).AppendInt32(20000 + i / 10);
      rows.column(2).AppendInt64(i % 10);
      rows.column(3).AppendString("NZ");
      rows.column(4).AppendInt64(i);
      rows.column(5).AppendDouble(i / 4.0);
      rows.column(6).AppendString("z");
    }
    UpdateBatch batch;
    ASSERT_TRUE(batch.AddRows(*table_, rows).ok());
    ASSERT_TRUE(db_->Commit(batch).ok());
  }

  void CompactToOneDelta() {
    ASSERT_TRUE(db_->CompactNow().ok());
    // A scan now reads one delta (the covering path is the new base).
    auto reader = *db_->NewReader();
    auto scan = *reader->Scan("ads", ScanSpec{});
    ASSERT_EQ(scan->Explain().deltas.size(), 1u);
  }

  // Every row of `spec` through Next, and through NextView (with Next and
  // NextView alternating when `mix`).
  void Compare(const ScanSpec& spec, bool mix = false) {
    auto reader = *db_->NewReader();
    const auto types = TypesOf(QueryColumns(AdsLike(), spec));
    auto want = testing::ScanRows(*reader, "ads", spec,
                                  QueryColumns(AdsLike(), spec));
    ASSERT_TRUE(want.ok()) << want.status();
    auto scan = *reader->Scan("ads", spec);
    RowBatch got(types);
    for (int i = 0;; ++i) {
      if (mix && i % 2 == 1) {
        if (!scan->Next()) break;
        got.AppendRows(scan->batch(), 0, scan->batch().num_rows());
      } else {
        if (!scan->NextView()) break;
        AppendViews(*scan, &got);
      }
    }
    ASSERT_TRUE(scan->status().ok()) << scan->status();
    EXPECT_TRUE(IdenticalRows(*want, got));
    EXPECT_EQ(scan->Explain().rows_returned, want->num_rows());
  }

  std::unique_ptr<FileSystem> fs_;
  std::unique_ptr<Database> db_;
  std::shared_ptr<const Table> table_;
};

ScanSpec Report(int64_t adv, int32_t from, int32_t to, size_t batch_rows) {
  ScanSpec spec;
  spec.key_prefix = {adv};
  spec.lower = from;
  spec.upper = to;
  spec.batch_rows = batch_rows;
  return spec;
}

TEST_P(ScanViewTest, ViewsHoldTheRowsNextReturnsForEveryKindOfScan) {
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "three deltas" : "one delta");
    if (pass == 1) CompactToOneDelta();
    for (size_t batch_rows : {size_t{1}, size_t{7}, size_t{1024}}) {
      Compare(Report(3, 20005, 20030, batch_rows));
      Compare(Report(3, 20005, 20030, batch_rows), /*mix=*/true);
      ScanSpec prefix;
      prefix.key_prefix = {5};
      prefix.batch_rows = batch_rows;
      Compare(prefix);
      prefix.columns = {"cost", "country", "adv"};
      Compare(prefix, /*mix=*/true);
    }
    Compare(Report(42, 20005, 20030, 16));  // no such advertiser
    Compare(Report(9, 20003, 20021, 16));   // in one delta of four
    {
      // The deltas without a row of advertiser 9 drop out after their
      // seek: the one left hands out views, with no merge and no copy.
      auto reader = *db_->NewReader();
      auto scan = *reader->Scan("ads", Report(9, 20003, 20021, 16));
      ASSERT_TRUE(scan->NextView());
      EXPECT_GT(scan->views()[0].size(), 0u);  // to the end of its block
      EXPECT_LE(scan->views()[0].size(), 16u);
      EXPECT_EQ(scan->batch().num_rows(), 0u);
    }
    Compare(Report(3, 20030, 20005, 16));   // an empty range
    ScanSpec all;
    Compare(all);
    ScanSpec filtered = Report(3, 20000, 20040, 64);
    filtered.filters = {{"clicks", FilterOp::kGt, {int64_t{4}}}};
    Compare(filtered);
    ScanSpec grouped;
    grouped.key_prefix = {2};
    grouped.group_by = {"adv", "country"};
    Compare(grouped);
  }
}

TEST_P(ScanViewTest, ABoundedScanOfOneDeltaCopiesNothing) {
  CompactToOneDelta();
  auto reader = *db_->NewReader();
  auto scan = *reader->Scan("ads", Report(4, 20000, 20040, 100000));
  ASSERT_TRUE(scan->NextView());
  // The rows are in the views only: the cursor's batch was never filled.
  EXPECT_GT(scan->views()[0].size(), 0u);
  EXPECT_EQ(scan->batch().num_rows(), 0u);
  // More than one block: the views end where the block does, the next
  // call continues in the next block.
  EXPECT_GT(scan->Explain().deltas[0].blocks, 1u);
  size_t rows = scan->views()[0].size();
  while (scan->NextView()) rows += scan->views()[0].size();
  ASSERT_TRUE(scan->status().ok());
  EXPECT_EQ(rows, scan->Explain().rows_returned);
  EXPECT_GT(scan->Explain().blocks_read, 1u);
}

TEST_P(ScanViewTest, ViewsOutliveTheEvictionOfTheirCacheEntry) {
  CompactToOneDelta();
  auto reader = *db_->NewReader();
  const ScanSpec spec = Report(6, 20010, 20012, 1024);
  auto want = *testing::ScanRows(*reader, "ads", spec, AdsLike().columns());
  ASSERT_GT(want.num_rows(), 0u);
  auto scan = *reader->Scan("ads", spec);
  ASSERT_TRUE(scan->NextView());
  // Churn: every other advertiser's rows, read whole, pass through the
  // cache many times over.
  for (int round = 0; round < 3; ++round) {
    for (int64_t adv = 1; adv <= 8; ++adv) {
      if (adv == 6) continue;
      ScanSpec other;
      other.key_prefix = {adv};
      ASSERT_TRUE(testing::ScanRows(*reader, "ads", other, AdsLike().columns())
                      .ok());
    }
  }
  const uint64_t misses = db_->Stats().block_cache_misses;
  // The entry is gone from the cache (reading it again misses), unless
  // there is no cache at all; the views still read it.
  ASSERT_TRUE(testing::ScanRows(*reader, "ads", spec, AdsLike().columns()).ok());
  if (GetParam() > 0) {
    EXPECT_GT(db_->Stats().block_cache_misses, misses);
  }
  RowBatch got(AdsLike());
  AppendViews(*scan, &got);
  while (scan->NextView()) AppendViews(*scan, &got);
  ASSERT_TRUE(scan->status().ok());
  EXPECT_TRUE(IdenticalRows(want, got));
}

TEST_P(ScanViewTest, ResumeTokensTakenBetweenViewsContinueExactly) {
  CompactToOneDelta();
  auto reader = *db_->NewReader();
  ScanSpec spec = Report(2, 20003, 20037, 5);
  auto want = *testing::ScanRows(*reader, "ads", spec, AdsLike().columns());
  RowBatch got(AdsLike());
  // Two views per cursor, then a new cursor from the token.
  while (true) {
    auto scan = *reader->Scan("ads", spec);
    bool more = false;
    for (int i = 0; i < 2 && (more = scan->NextView()); ++i) {
      AppendViews(*scan, &got);
    }
    ASSERT_TRUE(scan->status().ok());
    if (!more) break;
    spec.resume_token = *scan->ResumeToken();
  }
  EXPECT_TRUE(IdenticalRows(want, got));
}

// 1 MiB: a block's entry fits a shard (and is evicted by the churn); 0: no
// cache, every view holds a block decoded for the cursor alone.
INSTANTIATE_TEST_SUITE_P(Caches, ScanViewTest,
                         ::testing::Values(size_t{1} << 20, size_t{0}));

}  // namespace
}  // namespace mesa
