// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The compaction's window merge against the reference model
// (workload::SortAndAggregate over the concatenated rows, oldest first) on
// random schemas with every type and aggregation (REPLACE keeps the
// newest), with inputs that share keys, inputs of one row, inputs that are
// disjoint, and blocks of a few rows each.

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "src/db/window_merge.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/merge/sort_aggregate.h"
#include "src/workload/workload.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

RowBatch RandomRows(std::mt19937_64& rng, const Schema& schema, size_t n,
                    testing::Distribution key_dist) {
  RowBatch rows(schema);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      auto dist = c < schema.num_keys() ? key_dist
                                        : testing::Distribution::kRandom;
      testing::AppendRandomValue(rng, dist, r, &rows.column(c));
    }
  }
  return rows;
}

// Writes each batch as a delta (versions 1, 2, ...), merges them by
// windows and compares with the model.
void CheckWindowMerge(FileSystem* fs, const Schema& schema,
                      const std::vector<RowBatch>& deltas, size_t block_size,
                      const std::string& trace) {
  SCOPED_TRACE(trace);
  RowBatch all(schema);
  std::vector<std::shared_ptr<const DeltaReader>> readers;
  std::vector<std::string> input_rows;  // every input row, as text
  for (size_t d = 0; d < deltas.size(); ++d) {
    all.AppendRows(deltas[d], 0, deltas[d].num_rows());
    RowBatch sorted = SortAndAggregateRows(schema, deltas[d]);
    if (sorted.num_rows() == 0) continue;
    for (size_t r = 0; r < sorted.num_rows(); ++r) {
      input_rows.push_back(testing::RowToString(sorted, r));
    }
    static int file_count = 0;
    const std::string path = fmt::format("/w{}.delta", file_count++);
    DeltaFileOptions options;
    options.block_size = block_size;
    auto writer =
        DeltaWriter::Create({fs, path, schema, d + 1, d + 1, options, 0});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Add(sorted).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    readers.push_back(*DeltaReader::Open(fs, path));
  }
  RowBatch want = all;
  workload::SortAndAggregate(schema, &want);
  std::vector<std::unique_ptr<DeltaCursor>> inputs;
  for (const auto& r : readers) {
    inputs.push_back(r->NewCursor());
    inputs.back()->SeekToFirst();
  }
  WindowMerge merge(schema, std::move(inputs));
  // The observer sees every input row exactly once (what the compaction's
  // input totals rely on).
  std::vector<std::string> observed;
  merge.set_input_observer([&](const RowBatch& rows) {
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      observed.push_back(testing::RowToString(rows, r));
    }
  });
  RowBatch got(schema), batch(schema);
  while (merge.NextBatch(&batch)) {
    ASSERT_GT(batch.num_rows(), 0u);
    got.AppendRows(batch, 0, batch.num_rows());
  }
  ASSERT_TRUE(merge.status().ok()) << merge.status();
  std::sort(input_rows.begin(), input_rows.end());
  std::sort(observed.begin(), observed.end());
  ASSERT_EQ(observed, input_rows);
  ASSERT_EQ(got.num_rows(), want.num_rows());
  for (size_t r = 0; r < want.num_rows(); ++r) {
    ASSERT_TRUE(testing::RowsEquivalent(schema, got, r, want, r))
        << "row " << r << ": got " << testing::RowToString(got, r)
        << " want " << testing::RowToString(want, r);
  }
}

TEST(WindowMergeTest, MatchesReferenceModel) {
  const uint64_t seed = testing::TestSeed(91);
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  for (int iter = 0; iter < 60; ++iter) {
    Schema schema = testing::RandomSchema(rng, 3, 4);
    const size_t num_deltas = 1 + rng() % 12;
    const auto key_dist = testing::kAllDistributions[rng() % 4];
    std::vector<RowBatch> deltas;
    for (size_t d = 0; d < num_deltas; ++d) {
      // Some inputs of one row, most of a few hundred.
      const size_t n = rng() % 5 == 0 ? 1 : 1 + rng() % 600;
      deltas.push_back(RandomRows(rng, schema, n, key_dist));
    }
    CheckWindowMerge(fs.get(), schema, deltas, 256 + rng() % 2048,
                     fmt::format("seed {} iter {} {} deltas {}", seed, iter,
                                 schema.DebugString(), num_deltas));
  }
}

// Inputs over disjoint key ranges (each window is one input's block, passed
// on without sorting) and over one shared range, REPLACE and SUM on the
// same keys in every input.
TEST(WindowMergeTest, DisjointAndOverlappingInputs) {
  auto fs = NewMemFileSystem();
  Schema schema = *Schema::Create(
      {{"user", ColumnType::kInt64, Aggregation::kNone},
       {"doc", ColumnType::kInt64, Aggregation::kNone}},
      {{"n", ColumnType::kInt64, Aggregation::kSum},
       {"last", ColumnType::kString, Aggregation::kReplace},
       {"at", ColumnType::kInt64, Aggregation::kMax}});
  for (bool disjoint : {true, false}) {
    std::vector<RowBatch> deltas;
    for (int d = 0; d < 8; ++d) {
      RowBatch rows(schema);
      for (int i = 0; i < 500; ++i) {
        const int64_t user = disjoint ? d * 1000 + i : i % 50;
        rows.column(0).AppendInt64(user);
        rows.column(1).AppendInt64(disjoint ? 0 : i / 50);
        rows.column(2).AppendInt64(d + i);
        rows.column(3).AppendString(fmt::format("d{}", d));
        rows.column(4).AppendInt64((d * 7919 + i) % 1000);
      }
      deltas.push_back(std::move(rows));
    }
    CheckWindowMerge(fs.get(), schema, deltas, 512,
                     disjoint ? "disjoint" : "overlapping");
  }
}

TEST(WindowMergeTest, PreferWindowMerge) {
  EXPECT_FALSE(PreferWindowMerge({}));
  EXPECT_FALSE(PreferWindowMerge({10, 10}));
  EXPECT_TRUE(PreferWindowMerge({10, 10, 10}));
  // A big base beside small deltas copies the base's runs instead.
  EXPECT_FALSE(PreferWindowMerge({1000, 10, 10}));
  EXPECT_TRUE(PreferWindowMerge({80, 10, 10}));
}

}  // namespace
}  // namespace mesa::internal
