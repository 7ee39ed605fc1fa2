// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The windowed read merge (merge/merge_window.h, driven by MergingCursor
// once a scan is past its first rows) against the heap merge, bit for bit,
// and against the reference model: random schemas with every type and
// aggregation, several overlapping deltas with keys repeated across them
// (REPLACE must keep the newest), value projections in any order, batches
// of any size and forward seeks (as skip-scans and resumes issue them).

#include <algorithm>
#include <random>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/merge/merging_cursor.h"
#include "src/merge/sort_aggregate.h"
#include "src/workload/workload.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

using testing::RowToString;

// Deltas of a test: readers over rows written in `block_size` blocks.
struct Deltas {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  std::vector<std::shared_ptr<const DeltaReader>> readers;
  RowBatch all;  // every input row, oldest delta first

  void Add(const Schema& schema, const RowBatch& rows, size_t block_size) {
    if (all.num_columns() == 0) all = RowBatch(schema);
    all.AppendRows(rows, 0, rows.num_rows());
    const size_t d = readers.size();
    const std::string path = fmt::format("/w{}.delta", d);
    DeltaFileOptions options;
    options.block_size = block_size;
    auto writer = DeltaWriter::Create(
        {fs.get(), path, schema, d + 1, d + 1, options, 0});
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Add(SortAndAggregateRows(schema, rows)).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    auto reader = DeltaReader::Open(fs.get(), path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    readers.push_back(*reader);
  }

  std::unique_ptr<MergingCursor> Merge(const Schema& schema,
                                       const std::vector<size_t>& values,
                                       uint64_t window_after) const {
    std::vector<size_t> projection;
    for (size_t c = 0; c < schema.num_keys(); ++c) projection.push_back(c);
    projection.insert(projection.end(), values.begin(), values.end());
    std::vector<std::unique_ptr<DeltaCursor>> inputs;
    for (const auto& r : readers) {
      inputs.push_back(r->NewCursor({projection, {}}));
      inputs.back()->SeekToFirst();
    }
    auto merge =
        std::make_unique<MergingCursor>(schema, values, std::move(inputs));
    merge->set_window_after_rows(window_after);
    return merge;
  }
};

RowBatch RandomRows(std::mt19937_64& rng, const Schema& schema, size_t n,
                    testing::Distribution keys) {
  RowBatch rows(schema);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      testing::AppendRandomValue(
          rng, c < schema.num_keys() ? keys : testing::Distribution::kRandom,
          r, &rows.column(c));
    }
  }
  return rows;
}

// The schema of the merged batches: the keys, then `values`.
Schema Projected(const Schema& schema, const std::vector<size_t>& values) {
  std::vector<ColumnSpec> keys, vals;
  for (size_t c = 0; c < schema.num_keys(); ++c) keys.push_back(schema.column(c));
  for (size_t c : values) vals.push_back(schema.column(c));
  return *Schema::Create(keys, vals);
}

// Runs the heap merge and the windowed merge side by side, in the same
// batch sizes and with the same seeks, and checks every batch is the same
// bit for bit; without seeks, also that the rows are the model's. Returns
// the windows merged.
uint64_t CompareMerges(std::mt19937_64& rng, const Schema& schema,
                       const Deltas& deltas, const std::vector<size_t>& values,
                       uint64_t window_after, bool seeks) {
  auto heap = deltas.Merge(schema, values, ~uint64_t{0});
  auto windowed = deltas.Merge(schema, values, window_after);
  const Schema out_schema = Projected(schema, values);
  RowBatch want = deltas.all;
  workload::SortAndAggregate(schema, &want);
  RowBatch a(out_schema), b(out_schema), got(out_schema);
  const size_t nk = schema.num_keys();
  size_t batches = 0;
  while (true) {
    const size_t max_rows = 1 + rng() % (rng() % 4 == 0 ? 5000 : 300);
    const bool more = heap->NextBatch(max_rows, &a);
    EXPECT_EQ(windowed->NextBatch(max_rows, &b), more) << "batch " << batches;
    EXPECT_TRUE(heap->status().ok()) << heap->status();
    EXPECT_TRUE(windowed->status().ok()) << windowed->status();
    if (!more || ::testing::Test::HasFailure()) break;
    EXPECT_EQ(a.num_rows(), b.num_rows()) << "batch " << batches;
    if (a.num_rows() != b.num_rows()) break;
    for (size_t r = 0; r < a.num_rows(); ++r) {
      if (!testing::RowsEqual(a, r, b, r)) {
        ADD_FAILURE() << "batch " << batches << " row " << r << ": heap "
                      << RowToString(a, r) << " windowed "
                      << RowToString(b, r);
        return 0;
      }
    }
    got.AppendRows(a, 0, a.num_rows());
    ++batches;
    if (seeks && rng() % 6 == 0 && want.num_rows() > 0) {
      // Forward, backward or into the batch just read; a full key or a
      // prefix.
      std::string target;
      const size_t row = rng() % want.num_rows();
      const size_t cols = 1 + rng() % nk;
      for (size_t c = 0; c < cols; ++c) {
        AppendKeyPart(want.column(c), row, &target);
      }
      heap->SeekForward(target);
      windowed->SeekForward(target);
    }
  }
  if (!seeks && !::testing::Test::HasFailure()) {
    // The model's rows, projected.
    RowBatch model(out_schema);
    for (size_t c = 0; c < nk; ++c) model.column(c) = want.column(c);
    for (size_t v = 0; v < values.size(); ++v) {
      model.column(nk + v) = want.column(values[v]);
    }
    EXPECT_EQ(got.num_rows(), model.num_rows());
    for (size_t r = 0; r < std::min(got.num_rows(), model.num_rows()); ++r) {
      if (!testing::RowsEquivalent(out_schema, got, r, model, r)) {
        ADD_FAILURE() << "row " << r << ": got " << RowToString(got, r)
                      << " want " << RowToString(model, r);
        break;
      }
    }
  }
  return windowed->windows();
}

TEST(MergeWindowTest, SameRowsAsTheHeapMergeAndTheModel) {
  const uint64_t seed = testing::TestSeed(91);
  std::mt19937_64 rng(seed);
  uint64_t windows = 0;
  for (int iter = 0; iter < 60; ++iter) {
    Schema schema = testing::RandomSchema(rng, 4, 5);
    const size_t num_deltas = 3 + rng() % 6;
    // Skewed keys repeat within and across deltas; random ones rarely.
    const auto keys = rng() % 3 == 0 ? testing::Distribution::kRandom
                                     : testing::Distribution::kSkewed;
    Deltas deltas;
    for (size_t d = 0; d < num_deltas; ++d) {
      const size_t n = 1 + rng() % (rng() % 3 == 0 ? 2000 : 300);
      deltas.Add(schema, RandomRows(rng, schema, n, keys),
                 size_t{128} << (rng() % 5));
      if (::testing::Test::HasFatalFailure()) return;
    }
    // Value columns: a random subset in a random order.
    std::vector<size_t> values;
    for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
      if (rng() % 4 != 0) values.push_back(c);
    }
    std::shuffle(values.begin(), values.end(), rng);
    const bool seeks = rng() % 3 == 0;
    const uint64_t after = rng() % 2 == 0 ? 0 : rng() % 600;
    SCOPED_TRACE(fmt::format("seed {} iter {} {} deltas {} seeks {} after {}",
                             seed, iter, schema.DebugString(), num_deltas,
                             seeks, after));
    windows += CompareMerges(rng, schema, deltas, values, after, seeks);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(windows, 100u);  // the windowed path did run
}

// Keys whose encodings pass the 32 bytes the window compares as words
// (strings with 0x00 and 0xff, differing only past byte 32), so windows
// sort by comparing rows; and the ads key, whose windows pack a few
// varying bits and sort by radix.
TEST(MergeWindowTest, LongKeysAndTheAdsKey) {
  const uint64_t seed = testing::TestSeed(92);
  std::mt19937_64 rng(seed);
  Schema schema = *Schema::Create(
      {{"id", ColumnType::kInt64, Aggregation::kNone},
       {"name", ColumnType::kString, Aggregation::kNone}},
      {{"n", ColumnType::kInt64, Aggregation::kSum},
       {"last", ColumnType::kString, Aggregation::kReplace},
       {"low", ColumnType::kDouble, Aggregation::kMin}});
  const std::vector<std::string> names = testing::KeyStringsAroundThePrefix();
  Deltas deltas;
  for (size_t d = 0; d < 5; ++d) {
    RowBatch rows(schema);
    for (size_t i = 0; i < 400; ++i) {
      rows.column(0).AppendInt64(static_cast<int64_t>(rng() % 9) - 4);
      rows.column(1).AppendString(names[rng() % names.size()]);
      rows.column(2).AppendInt64(static_cast<int64_t>(rng() % 100) - 50);
      rows.column(3).AppendString(fmt::format("v{}", rng() % 1000));
      rows.column(4).AppendDouble(static_cast<double>(rng() % 100) / 7);
    }
    deltas.Add(schema, rows, 256);
  }
  for (bool seeks : {false, true}) {
    SCOPED_TRACE(fmt::format("seed {} long keys, seeks {}", seed, seeks));
    EXPECT_GT(CompareMerges(rng, schema, deltas, {2, 3, 4}, 0, seeks), 0u);
    EXPECT_GT(CompareMerges(rng, schema, deltas, {4, 2}, 0, seeks), 0u);
  }

  const Schema ads = workload::AdsSchema();
  Deltas ads_deltas;
  RowBatch facts(ads);
  for (size_t d = 0; d < 6; ++d) {
    facts.Clear();
    // Deltas 3 and 5 repeat the facts of 1 and 2: the same keys again.
    const uint64_t first = (d == 3 ? 1 : d == 5 ? 2 : d) * 3000;
    workload::FillAdsBatch(first, first + 3000, &facts);
    ads_deltas.Add(ads, facts, 1024);
  }
  std::vector<size_t> all_values;
  for (size_t c = ads.num_keys(); c < ads.num_columns(); ++c) {
    all_values.push_back(c);
  }
  SCOPED_TRACE(fmt::format("seed {} ads", seed));
  EXPECT_GT(CompareMerges(rng, ads, ads_deltas, all_values, 4096, false), 0u);
  EXPECT_GT(CompareMerges(rng, ads, ads_deltas, {6, 4}, 0, true), 0u);
}

}  // namespace
}  // namespace mesa::internal
