// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Rollups under concurrency (run under ThreadSanitizer in CI): a committer
// writes batches to a table with a rollup declared at creation while a
// second rollup is added (and back-filled in the background) and readers
// pin versions and compare each ready rollup with a group-by over the
// table at the same version. A reader never sees a rollup disagree with
// its table: the commit publishes both in one manifest record.

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/db/db_test_util.h"
#include "tests/testing/test_util.h"

namespace mesa::testing {
namespace {

Schema Facts() {
  return Schema::Create({{"day", ColumnType::kInt32},
                         {"advertiser", ColumnType::kInt64},
                         {"country", ColumnType::kString}},
                        {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                         {"low", ColumnType::kInt64, Aggregation::kMin},
                         {"high", ColumnType::kInt64, Aggregation::kMax}})
      .value();
}

// Group-by of `table` onto `rollup`'s columns at the reader's version.
absl::StatusOr<RowBatch> GroupBy(const VersionedReader& reader,
                                 const Schema& table, const Schema& rollup) {
  absl::StatusOr<RowBatch> all = ScanAll(reader, "facts", table);
  if (!all.ok()) return all.status();
  RowBatch rows(rollup);
  for (size_t c = 0; c < rollup.num_columns(); ++c) {
    const size_t from = *table.FindColumn(rollup.column(c).name);
    rows.column(c).AppendRange(all->column(from), 0, all->num_rows());
  }
  workload::SortAndAggregate(rollup, &rows);
  return rows;
}

TEST(RollupConcurrencyTest, ReadersNeverSeeARollupDisagreeWithItsTable) {
  Options options;
  options.background_threads = 1;
  options.cumulative_threshold = 4;
  options.history_versions = 20;
  auto db = *Database::Open(options, NewTempDir("rollup_concurrency"));
  TableOptions declared;
  declared.rollups = {{"by_advertiser", {"advertiser"}, {"clicks", "high"}}};
  auto facts = *db->CreateTable("facts", Facts(), declared);
  const Schema by_advertiser = (*db->GetTable("by_advertiser"))->schema();

  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread committer([&] {
    std::mt19937_64 rng(11);
    const char* countries[] = {"US", "UK", "FR"};
    while (!stop.load()) {
      UpdateBatch batch;
      for (int r = 0; r < 50; ++r) {
        absl::Status s = batch.AddRow(
            *facts, {static_cast<int32_t>(rng() % 10),
                     static_cast<int64_t>(rng() % 20), countries[rng() % 3],
                     static_cast<int64_t>(rng() % 100) - 30,
                     static_cast<int64_t>(rng() % 1000),
                     static_cast<int64_t>(rng() % 1000)});
        ASSERT_TRUE(s.ok()) << s;
      }
      auto v = db->Commit(batch);
      ASSERT_TRUE(v.ok()) << v.status();
      commits.fetch_add(1);
    }
  });
  // Added once the table holds data: back-filled in the background while
  // the committer goes on.
  while (commits.load() < 10) std::this_thread::yield();
  auto by_country =
      db->AddRollup("facts", {"by_country", {"country", "day"}, {"low"}});
  ASSERT_TRUE(by_country.ok()) << by_country.status();
  const Schema by_country_schema = (*by_country)->schema();

  std::atomic<int> checks{0}, late_checks{0};
  auto reader_loop = [&] {
    const auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(kSlowBuild ? 3000 : 1500);
    while (std::chrono::steady_clock::now() < deadline) {
      auto reader = db->NewReader();
      ASSERT_TRUE(reader.ok()) << reader.status();
      auto want = GroupBy(**reader, Facts(), by_advertiser);
      ASSERT_TRUE(want.ok()) << want.status();
      auto got = ScanAll(**reader, "by_advertiser", by_advertiser);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_TRUE(IdenticalRows(*got, *want))
          << "at version " << (*reader)->version();
      checks.fetch_add(1);
      auto late = ScanAll(**reader, "by_country", by_country_schema);
      if (!late.ok()) {
        // Not back-filled yet at this version.
        ASSERT_TRUE(absl::IsFailedPrecondition(late.status()))
            << late.status();
        continue;
      }
      auto late_want = GroupBy(**reader, Facts(), by_country_schema);
      ASSERT_TRUE(late_want.ok()) << late_want.status();
      ASSERT_TRUE(IdenticalRows(*late, *late_want))
          << "by_country at version " << (*reader)->version();
      late_checks.fetch_add(1);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) readers.emplace_back(reader_loop);
  for (std::thread& t : readers) t.join();
  // The back-fill must finish with commits going on.
  for (int i = 0; i < 4000 && !(*db->GetTable("by_country"))->ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop.store(true);
  committer.join();
  EXPECT_TRUE((*db->GetTable("by_country"))->ready());
  EXPECT_GT(checks.load(), 0);
  auto reader = *db->NewReader();
  auto want = GroupBy(*reader, Facts(), by_country_schema);
  auto got = ScanAll(*reader, "by_country", by_country_schema);
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_TRUE(IdenticalRows(*got, *want));
}

}  // namespace
}  // namespace mesa::testing
