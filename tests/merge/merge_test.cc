// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The merging cursor and the batch sort-aggregate against the reference
// model (workload::SortAndAggregate over the concatenated rows, oldest
// first) on random schemas with every type and aggregation.

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

RowBatch RandomRows(std::mt19937_64& rng, const Schema& schema, size_t n) {
  RowBatch rows(schema);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      // Few distinct keys so that batches and deltas share keys.
      auto dist = c < schema.num_keys() ? testing::Distribution::kSkewed
                                        : testing::Distribution::kRandom;
      testing::AppendRandomValue(rng, dist, r, &rows.column(c));
    }
  }
  return rows;
}

void ExpectSameRows(const Schema& schema, const RowBatch& got,
                    const RowBatch& want) {
  ASSERT_EQ(got.num_rows(), want.num_rows());
  for (size_t r = 0; r < want.num_rows(); ++r) {
    ASSERT_TRUE(testing::RowsEquivalent(schema, got, r, want, r))
        << "row " << r << ": got " << RowToString(got, r) << " want "
        << RowToString(want, r);
  }
}

TEST(SortAggregateTest, MatchesReferenceModel) {
  uint64_t seed = testing::TestSeed(77);
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 60; ++iter) {
    Schema schema = testing::RandomSchema(rng, 3, 4);
    RowBatch rows = RandomRows(rng, schema, rng() % 500);
    RowBatch want = rows;
    workload::SortAndAggregate(schema, &want);
    SCOPED_TRACE(fmt::format("seed {} iter {} {}", seed, iter,
                             schema.DebugString()));
    ExpectSameRows(schema, SortAndAggregateRows(schema, rows), want);
  }
}

// Keys with at most 8 varying bytes sort by radix, others as inline
// entries of 1 to 4 words, longer ones by prefix and memcmp: each path
// against the model, with few distinct keys so that rows combine.
TEST(SortAggregateTest, EveryKeyWidth) {
  uint64_t seed = testing::TestSeed(79);
  std::mt19937_64 rng(seed);
  const std::vector<std::vector<ColumnType>> key_sets = {
      {ColumnType::kInt32},
      {ColumnType::kInt64, ColumnType::kInt32},
      {ColumnType::kInt64, ColumnType::kInt32, ColumnType::kInt64},
      {ColumnType::kInt64, ColumnType::kInt32, ColumnType::kInt64,
       ColumnType::kString},
      {ColumnType::kDouble, ColumnType::kUint64, ColumnType::kInt64,
       ColumnType::kInt64},
      {ColumnType::kString, ColumnType::kString, ColumnType::kInt64,
       ColumnType::kInt64, ColumnType::kUint64}};
  for (const auto& types : key_sets) {
    std::vector<ColumnSpec> keys, values;
    for (size_t k = 0; k < types.size(); ++k) {
      keys.push_back({fmt::format("k{}", k), types[k], Aggregation::kNone});
    }
    values.push_back({"sum", ColumnType::kInt64, Aggregation::kSum});
    values.push_back({"last", ColumnType::kString, Aggregation::kReplace});
    values.push_back({"low", ColumnType::kDouble, Aggregation::kMin});
    Schema schema = *Schema::Create(keys, values);
    RowBatch rows = RandomRows(rng, schema, 2000);
    RowBatch want = rows;
    workload::SortAndAggregate(schema, &want);
    SCOPED_TRACE(fmt::format("seed {} {}", seed, schema.DebugString()));
    ExpectSameRows(schema, SortAndAggregateRows(schema, rows), want);
  }
  // The ads key: 7 varying bytes of 24.
  RowBatch ads(workload::AdsSchema());
  workload::FillAdsBatch(0, 20000, &ads);
  const RowBatch first = ads;
  ads.AppendRows(first, 0, 5000);  // repeated keys
  RowBatch want = ads;
  workload::SortAndAggregate(workload::AdsSchema(), &want);
  ExpectSameRows(workload::AdsSchema(),
                 SortAndAggregateRows(workload::AdsSchema(), ads), want);
}

TEST(MergingCursorTest, MergesDeltasInVersionOrderLikeTheModel) {
  uint64_t seed = testing::TestSeed(78);
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  for (int iter = 0; iter < 40; ++iter) {
    Schema schema = testing::RandomSchema(rng, 3, 4);
    const size_t num_deltas = 1 + rng() % 6;
    RowBatch all(schema);
    std::vector<std::shared_ptr<const DeltaReader>> readers;
    for (size_t d = 0; d < num_deltas; ++d) {
      RowBatch rows = RandomRows(rng, schema, 1 + rng() % 400);
      for (size_t r = 0; r < rows.num_rows(); ++r) all.AppendRow(rows, r);
      RowBatch sorted = SortAndAggregateRows(schema, rows);
      std::string path = fmt::format("/m{}_{}.delta", iter, d);
      DeltaFileOptions options;
      options.block_size = 1024;
      auto writer = DeltaWriter::Create(
          {fs.get(), path, schema, d + 1, d + 1, options, 0});
      ASSERT_TRUE(writer.ok());
      ASSERT_TRUE((*writer)->Add(sorted).ok());
      ASSERT_TRUE((*writer)->Finish().ok());
      readers.push_back(*DeltaReader::Open(fs.get(), path));
    }
    RowBatch want = all;
    workload::SortAndAggregate(schema, &want);

    std::vector<size_t> values, projection;
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      projection.push_back(c);
      if (c >= schema.num_keys()) values.push_back(c);
    }
    std::vector<std::unique_ptr<DeltaCursor>> inputs;
    for (const auto& r : readers) {
      inputs.push_back(r->NewCursor({projection, {}}));
      inputs.back()->SeekToFirst();
    }
    MergingCursor merge(schema, values, std::move(inputs));
    RowBatch got(schema), batch(schema);
    const size_t max_rows = 1 + rng() % 300;
    while (merge.NextBatch(max_rows, &batch)) {
      ASSERT_LE(batch.num_rows(), max_rows);
      for (size_t r = 0; r < batch.num_rows(); ++r) got.AppendRow(batch, r);
    }
    ASSERT_TRUE(merge.status().ok()) << merge.status();
    SCOPED_TRACE(fmt::format("seed {} iter {} {} deltas {}", seed, iter,
                             schema.DebugString(), num_deltas));
    ExpectSameRows(schema, got, want);
  }
}

// One input with any projection (here: every other column, keys or not,
// in reverse order): Single hands its rows out as they are, and
// SeekForward still lands on the first key at or past the target.
TEST(MergingCursorTest, SingleInputWithAPartialProjection) {
  uint64_t seed = testing::TestSeed(81);
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  for (int iter = 0; iter < 30; ++iter) {
    Schema schema = testing::RandomSchema(rng, 3, 4);
    RowBatch rows =
        SortAndAggregateRows(schema, RandomRows(rng, schema, 1 + rng() % 600));
    const std::string path = fmt::format("/single{}.delta", iter);
    DeltaFileOptions options;
    options.block_size = 512;
    auto writer =
        DeltaWriter::Create({fs.get(), path, schema, 1, 1, options, 0});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Add(rows).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    auto reader = *DeltaReader::Open(fs.get(), path);
    std::vector<size_t> projection;
    for (size_t c = schema.num_columns(); c-- > 0;) {
      if ((c + iter) % 2 == 0) projection.push_back(c);
    }
    std::vector<ColumnType> types;
    for (size_t c : projection) types.push_back(schema.column(c).type);
    SCOPED_TRACE(fmt::format("seed {} iter {} {}", seed, iter,
                             schema.DebugString()));
    // From a random row (0: the first), by seek.
    const size_t from = rng() % 2 == 0 ? 0 : rng() % rows.num_rows();
    auto cursor = reader->NewCursor({projection, {}});
    cursor->SeekToFirst();
    auto merge = MergingCursor::Single(schema, std::move(cursor));
    if (from > 0) {
      std::string target;
      AppendEncodedKey(rows, from, schema.num_keys(), &target);
      merge->SeekForward(target);
    }
    RowBatch batch(types);
    size_t r = from;
    while (merge->NextBatch(1 + rng() % 200, &batch)) {
      for (size_t i = 0; i < batch.num_rows(); ++i, ++r) {
        ASSERT_LT(r, rows.num_rows());
        for (size_t p = 0; p < projection.size(); ++p) {
          ASSERT_EQ(CompareValues(batch.column(p), i,
                                  rows.column(projection[p]), r),
                    0)
              << "row " << r << " column " << projection[p];
        }
      }
    }
    ASSERT_TRUE(merge->status().ok()) << merge->status();
    EXPECT_EQ(r, rows.num_rows());
  }
}

// The merge compares the first 32 bytes of each key's encoding, and the
// rows only when both are cut off: keys that differ only past byte 32,
// strings with 0x00 and 0xff, and a string that ends exactly where the
// 32 bytes do.
TEST(MergingCursorTest, KeysLongerThanTheComparedPrefix) {
  auto fs = NewMemFileSystem();
  Schema schema = *Schema::Create(
      {{"id", ColumnType::kInt64, Aggregation::kNone},
       {"name", ColumnType::kString, Aggregation::kNone}},
      {{"n", ColumnType::kInt64, Aggregation::kSum}});
  const std::string base(30, 'x');
  const std::vector<std::string> names = {
      "",          "a",
      std::string("a\0", 2), std::string("a\0\xff", 3),
      std::string(22, 'y'),   std::string(21, 'y') + std::string(1, '\0'),
      base,        base + "a",
      base + "b",  base + std::string("\0", 1),
      base + std::string(10, 'z') + "1", base + std::string(10, 'z') + "2"};
  std::mt19937_64 rng(testing::TestSeed(80));
  RowBatch all(schema);
  std::vector<std::shared_ptr<const DeltaReader>> readers;
  for (size_t d = 0; d < 4; ++d) {
    RowBatch rows(schema);
    for (size_t i = 0; i < 30; ++i) {
      rows.column(0).AppendInt64(static_cast<int64_t>(rng() % 3) - 1);
      rows.column(1).AppendString(names[rng() % names.size()]);
      rows.column(2).AppendInt64(static_cast<int64_t>(rng() % 100));
    }
    all.AppendRows(rows, 0, rows.num_rows());
    const std::string path = fmt::format("/long{}.delta", d);
    DeltaFileOptions options;
    options.block_size = 256;
    auto writer = DeltaWriter::Create(
        {fs.get(), path, schema, d + 1, d + 1, options, 0});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Add(SortAndAggregateRows(schema, rows)).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    readers.push_back(*DeltaReader::Open(fs.get(), path));
  }
  RowBatch want = all;
  workload::SortAndAggregate(schema, &want);
  std::vector<std::unique_ptr<DeltaCursor>> inputs;
  for (const auto& r : readers) {
    inputs.push_back(r->NewCursor());
    inputs.back()->SeekToFirst();
  }
  MergingCursor merge(schema, {2}, std::move(inputs));
  RowBatch got(schema), batch(schema);
  while (merge.NextBatch(7, &batch)) got.AppendRows(batch, 0, batch.num_rows());
  ASSERT_TRUE(merge.status().ok()) << merge.status();
  ExpectSameRows(schema, got, want);
}

}  // namespace
}  // namespace mesa::internal
