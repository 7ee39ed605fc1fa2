// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Compaction through the Database: the online check accepts exactly
// re-grouped floating-point sums, a table dropped while its compaction
// runs does not poison background compaction, and Checksum does not depend
// on the delta layout (before and after compaction, after reopening, and
// against a fresh database holding the same rows in one batch).

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"
#include "tests/db/gated_file_system.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using testing::GatedFileSystem;
using testing::ModelTable;
using testing::RowSource;
using testing::SameRows;
using testing::ScanAll;

Schema DoubleSums() {
  return Schema::Create({{"k", ColumnType::kInt64}},
                        {{"s", ColumnType::kDouble, Aggregation::kSum},
                         {"big", ColumnType::kDouble, Aggregation::kSum},
                         {"m", ColumnType::kDouble, Aggregation::kMin}})
      .value();
}

// Sums that cancel (and overflow) differently when grouped by key than in
// input order: the online check must not take that for corruption.
TEST(CompactionTest, OnlineCheckAcceptsRegroupedDoubleSums) {
  auto fs = NewMemFileSystem();
  Options o;
  o.fs = fs.get();
  o.background_threads = 0;
  auto db = Database::Open(o, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  auto t = (*db)->CreateTable("t", DoubleSums());
  ASSERT_TRUE(t.ok());
  const double kHuge = 1.5e308;
  const double kInf = std::numeric_limits<double>::infinity();
  // Column s sums to 0 in input order (1e300 + 1 rounds to 1e300) but to
  // 0 + 1 by key. Column big cancels in input order but overflows to +inf
  // and -inf by key.
  const std::vector<std::vector<std::vector<Value>>> commits = {
      {{int64_t{1}, 1e300, 0.0, 0.0}, {int64_t{2}, 1.0, 0.0, 0.0}},
      {{int64_t{1}, -1e300, 0.0, 0.0}},
      {{int64_t{3}, 0.0, kHuge, 0.0}, {int64_t{4}, 0.0, -kHuge, 0.0}},
      {{int64_t{3}, 0.0, kHuge, 0.0}, {int64_t{4}, 0.0, -kHuge, 0.0}},
      {{int64_t{2}, 0.5, 0.0, 0.0}},
      {{int64_t{2}, 0.5, 0.0, 0.0}},
  };
  auto commit = [&](size_t i) {
    UpdateBatch batch;
    for (const auto& row : commits[i]) DB_ASSERT_OK(batch.AddRow(**t, row));
    auto v = (*db)->Commit(batch);
    ASSERT_TRUE(v.ok()) << v.status();
  };
  auto check = [&](double k2) {
    auto reader = (*db)->NewReader();
    ASSERT_TRUE(reader.ok());
    auto rows = ScanAll(**reader, "t", DoubleSums());
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->num_rows(), 4u);
    const double want_s[] = {0.0, k2, 0.0, 0.0};
    const double want_big[] = {0.0, 0.0, kInf, -kInf};
    for (size_t r = 0; r < 4; ++r) {
      EXPECT_EQ(rows->column(1).GetDouble(r), want_s[r]) << "row " << r;
      EXPECT_EQ(rows->column(2).GetDouble(r), want_big[r]) << "row " << r;
    }
  };
  for (size_t i = 0; i < 4; ++i) ASSERT_NO_FATAL_FAILURE(commit(i));
  DB_ASSERT_OK((*db)->CompactNow());
  EXPECT_EQ((*db)->Stats().cumulative_compactions, 1u);
  ASSERT_NO_FATAL_FAILURE(check(1.0));
  // The cumulative merged again with two more singletons.
  for (size_t i = 4; i < 6; ++i) ASSERT_NO_FATAL_FAILURE(commit(i));
  DB_ASSERT_OK((*db)->CompactNow());
  EXPECT_EQ((*db)->Stats().cumulative_compactions, 2u);
  ASSERT_NO_FATAL_FAILURE(check(2.0));
}

// Random double sums of every magnitude: a compaction never fails its own
// check, and the answers stay equivalent to the model's.
TEST(CompactionTest, OnlineCheckOverRandomDoubleSums) {
  std::mt19937_64 rng(testing::TestSeed(99));
  SCOPED_TRACE(fmt::format("seed {}", testing::TestSeed(99)));
  auto fs = NewMemFileSystem();
  const Options o = testing::SmallCompactionOptions(fs.get(), 0, 2, 3);
  auto db = Database::Open(o, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  auto t = (*db)->CreateTable("t", DoubleSums());
  ASSERT_TRUE(t.ok());
  for (int v = 1; v <= 40; ++v) {
    UpdateBatch batch;
    for (int r = 0; r < 10; ++r) {
      // A random sign and exponent, often near the top of the range: sums
      // cancel and overflow.
      const int exponent = rng() % 2 ? 1000 + static_cast<int>(rng() % 14)
                                     : static_cast<int>(rng() % 2000) - 1000;
      const double x = std::ldexp(static_cast<double>(rng() % 1000) + 1,
                                  exponent) *
                       (rng() % 2 ? 1 : -1);
      DB_ASSERT_OK(
          batch.AddRow(**t, {static_cast<int64_t>(rng() % 6), x, -x, x}));
    }
    auto committed = (*db)->Commit(batch);
    ASSERT_TRUE(committed.ok()) << committed.status();
    DB_ASSERT_OK((*db)->CompactNow());
  }
  EXPECT_GT((*db)->Stats().cumulative_compactions, 10u);
}

TEST(CompactionTest, DroppingATableWhileItCompactsInTheBackground) {
  auto gated = std::make_unique<GatedFileSystem>(NewMemFileSystem());
  GatedFileSystem* gate = gated.get();
  Options o = testing::SmallCompactionOptions(gate, 1, 2, 2);
  auto db = Database::Open(o, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  const Schema schema = Schema::Create({{"k", ColumnType::kInt64}},
                                       {{"n", ColumnType::kInt64,
                                         Aggregation::kSum}})
                            .value();
  auto a = (*db)->CreateTable("a", schema);
  auto b = (*db)->CreateTable("b", schema);
  ASSERT_TRUE(a.ok() && b.ok());
  gate->Close();
  for (int i = 0; i < 2; ++i) {
    UpdateBatch batch;
    DB_ASSERT_OK(batch.AddRow(**a, {int64_t{i}, int64_t{1}}));
    ASSERT_TRUE((*db)->Commit(batch).ok());
  }
  // The background thread is compacting `a`, held at the gate.
  ASSERT_TRUE(gate->WaitForWaiter(std::chrono::seconds(10)));
  DB_ASSERT_OK((*db)->DropTable("a"));
  gate->Open();
  // Its plan is stale now. Background compaction must go on: commits to
  // `b` rely on it under back-pressure.
  for (int i = 0; i < 20; ++i) {
    UpdateBatch batch;
    DB_ASSERT_OK(batch.AddRow(**b, {int64_t{i % 3}, int64_t{1}}));
    auto v = (*db)->Commit(batch);
    ASSERT_TRUE(v.ok()) << "commit " << i << ": " << v.status();
  }
  DB_ASSERT_OK((*db)->CompactNow());
  auto reader = (*db)->NewReader();
  ASSERT_TRUE(reader.ok());
  auto rows = ScanAll(**reader, "b", schema);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->num_rows(), 3u);
  EXPECT_EQ(rows->column(1).GetInt64(0) + rows->column(1).GetInt64(1) +
                rows->column(1).GetInt64(2),
            20);
  EXPECT_EQ((*db)->ListTables(), std::vector<std::string>{"b"});
  reader->reset();
  db->reset();
  // Nothing of `a` is left once the database is closed and reopened.
  o.background_threads = 0;
  db = Database::Open(o, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  size_t files = 0;
  auto names = gate->GetChildren("/db");
  ASSERT_TRUE(names.ok()) << names.status();
  for (const std::string& n : *names) {
    files += n.size() > 6 && n.substr(n.size() - 6) == ".delta";
  }
  size_t live = 0;
  for (const TableStats& ts : (*db)->Stats().tables) live += ts.deltas.size();
  EXPECT_EQ(files, live);
}

// Checksum depends on the rows only: the same logical data under different
// delta layouts gives the same digest, different data a different one.
TEST(CompactionTest, ChecksumIgnoresTheDeltaLayout) {
  const uint64_t seed = testing::TestSeed(4242);
  SCOPED_TRACE(fmt::format("seed {}", seed));
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  Options o = testing::SmallCompactionOptions(fs.get(), 0, 3, 100);
  o.history_versions = 100;
  auto db_or = Database::Open(o, "/db");
  ASSERT_TRUE(db_or.ok()) << db_or.status();
  std::unique_ptr<Database> db = std::move(*db_or);

  std::vector<ModelTable> tables(3);
  std::vector<std::unique_ptr<RowSource>> sources;
  for (size_t i = 0; i < tables.size(); ++i) {
    ModelTable& t = tables[i];
    t.name = fmt::format("t{}", i);
    t.schema = i == 0 ? testing::KitchenSinkSchema()
                      : testing::RandomSchema(rng, 3, 4);
    auto h = db->CreateTable(t.name, t.schema);
    ASSERT_TRUE(h.ok()) << h.status();
    t.handle = *h;
    sources.push_back(std::make_unique<RowSource>(rng, t.schema));
  }
  constexpr uint64_t kVersions = 12;
  for (uint64_t v = 1; v <= kVersions; ++v) {
    UpdateBatch batch;
    for (size_t i = 0; i < tables.size(); ++i) {
      if (rng() % 3 == 0) continue;
      RowBatch rows = sources[i]->Rows(rng, 1 + rng() % 25);
      DB_ASSERT_OK(batch.AddRows(*tables[i].handle, rows));
      tables[i].AddBatch(v, std::move(rows));
    }
    ASSERT_EQ(*db->Commit(batch), v);
  }
  // Digests over singletons only.
  std::map<std::pair<size_t, uint64_t>, uint64_t> sums;
  for (size_t i = 0; i < tables.size(); ++i) {
    for (uint64_t v = 0; v <= kVersions; ++v) {
      auto s = db->Checksum(tables[i].name, v);
      ASSERT_TRUE(s.ok()) << s.status();
      sums[std::make_pair(i, v)] = *s;
    }
  }
  auto expect_same = [&](const std::string& when) {
    for (const auto& [key, sum] : sums) {
      auto s = db->Checksum(tables[key.first].name, key.second);
      ASSERT_TRUE(s.ok()) << s.status();
      EXPECT_EQ(*s, sum) << when << ": " << tables[key.first].name
                         << " at version " << key.second;
    }
  };
  // Cumulatives over the same versions.
  DB_ASSERT_OK(db->CompactNow());
  ASSERT_GT(db->Stats().cumulative_compactions, 0u);
  ASSERT_NO_FATAL_FAILURE(expect_same("after compaction"));
  db.reset();
  db_or = Database::Open(o, "/db");
  ASSERT_TRUE(db_or.ok()) << db_or.status();
  db = std::move(*db_or);
  ASSERT_NO_FATAL_FAILURE(expect_same("after reopening"));

  // Different data, different digests: versions whose rows differ.
  for (size_t i = 0; i < tables.size(); ++i) {
    for (uint64_t v = 1; v <= kVersions; ++v) {
      if (testing::IdenticalRows(tables[i].At(v), tables[i].At(v - 1))) {
        EXPECT_EQ(sums.at(std::make_pair(i, v)), sums.at(std::make_pair(i, v - 1)));
      } else {
        EXPECT_NE(sums.at(std::make_pair(i, v)), sums.at(std::make_pair(i, v - 1)))
            << tables[i].name << " at " << v;
      }
    }
  }

  // A fresh database holding each table's rows at the latest version as
  // one batch: the same digest. One value changed: another digest.
  for (size_t i = 0; i < tables.size(); ++i) {
    const ModelTable& t = tables[i];
    const RowBatch& rows = t.At(kVersions);
    for (int changed = 0; changed < 2; ++changed) {
      if (changed && (rows.num_rows() == 0 || t.schema.num_values() == 0)) {
        continue;
      }
      auto other_fs = NewMemFileSystem();
      Options fresh = o;
      fresh.fs = other_fs.get();
      auto other = Database::Open(fresh, "/db");
      ASSERT_TRUE(other.ok()) << other.status();
      auto h = (*other)->CreateTable(t.name, t.schema);
      ASSERT_TRUE(h.ok());
      RowBatch copy(t.schema);
      copy.AppendRows(rows, 0, rows.num_rows());
      if (changed) {
        // Flip a bit of the last value column of row 0 (rebuilding the
        // column: strings are offsets over bytes).
        const size_t c = t.schema.num_columns() - 1;
        ColumnVector& col = copy.column(c);
        if (col.is_string()) {
          ColumnVector rebuilt(ColumnType::kString);
          rebuilt.AppendString(std::string(col.GetString(0)) + "!");
          rebuilt.AppendRange(col, 1, col.size());
          col = std::move(rebuilt);
        } else {
          col.words()[0] ^= 1;
          if (col.type() == ColumnType::kInt32) {
            col.words()[0] = static_cast<uint64_t>(
                static_cast<int64_t>(static_cast<int32_t>(col.words()[0])));
          }
        }
      }
      UpdateBatch one;
      DB_ASSERT_OK(one.AddRows(**h, copy));
      ASSERT_TRUE((*other)->Commit(one).ok());
      auto s = (*other)->Checksum(t.name, 1);
      ASSERT_TRUE(s.ok()) << s.status();
      if (changed) {
        EXPECT_NE(*s, sums.at(std::make_pair(i, kVersions))) << t.name;
      } else {
        EXPECT_EQ(*s, sums.at(std::make_pair(i, kVersions))) << t.name;
      }
    }
  }
}

}  // namespace
}  // namespace mesa
