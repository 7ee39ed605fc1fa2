// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The merging cursor and the batch sort-aggregate against the reference
// model (workload::SortAndAggregate over the concatenated rows, oldest
// first) on random schemas with every type and aggregation.

#include <algorithm>
#include <random>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"
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
    // An empty projection means every column; a one-column schema's odd
    // iteration would leave it empty and the batch below without columns.
    if (projection.empty()) projection.push_back(0);
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

// ByPrefix over several deltas: every input row comes out once, unmerged,
// with its columns as projected; prefixes never decrease, and one prefix's
// rows come out together (oldest input first). Prefixes of 0 to all the
// key columns, the leading key columns forced to numbers.
TEST(MergingCursorTest, ByPrefixInterleavesByTheLeadingKeyColumns) {
  uint64_t seed = testing::TestSeed(82);
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  const ColumnType numbers[] = {ColumnType::kInt32, ColumnType::kInt64,
                                ColumnType::kUint64, ColumnType::kDouble};
  for (int iter = 0; iter < 40; ++iter) {
    Schema random = testing::RandomSchema(rng, 3, 3);
    const size_t nk = random.num_keys();
    const size_t prefix = rng() % (nk + 1);
    std::vector<ColumnSpec> keys, values;
    for (size_t c = 0; c < random.num_columns(); ++c) {
      ColumnSpec spec = random.column(c);
      if (c < prefix) spec.type = numbers[rng() % 4];
      (c < nk ? keys : values).push_back(spec);
    }
    Schema schema = *Schema::Create(keys, values);
    // Projection: the prefix, then the other columns in a random order.
    std::vector<size_t> projection, rest;
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      (c < prefix ? projection : rest).push_back(c);
    }
    std::shuffle(rest.begin(), rest.end(), rng);
    // At least one column (an empty projection means every column).
    rest.resize(std::max<size_t>(prefix == 0, rng() % (rest.size() + 1)));
    projection.insert(projection.end(), rest.begin(), rest.end());
    std::vector<ColumnType> types;
    for (size_t c : projection) types.push_back(schema.column(c).type);

    const size_t num_deltas = 1 + rng() % 5;
    std::vector<RowBatch> deltas;
    std::vector<std::unique_ptr<DeltaCursor>> inputs;
    std::vector<std::shared_ptr<const DeltaReader>> readers;
    for (size_t d = 0; d < num_deltas; ++d) {
      deltas.push_back(
          SortAndAggregateRows(schema, RandomRows(rng, schema, 1 + rng() % 400)));
      const std::string path = fmt::format("/prefix{}_{}.delta", iter, d);
      DeltaFileOptions options;
      options.block_size = 512;
      auto writer = DeltaWriter::Create(
          {fs.get(), path, schema, d + 1, d + 1, options, 0});
      ASSERT_TRUE(writer.ok());
      ASSERT_TRUE((*writer)->Add(deltas.back()).ok());
      ASSERT_TRUE((*writer)->Finish().ok());
      readers.push_back(*DeltaReader::Open(fs.get(), path));
      inputs.push_back(readers.back()->NewCursor({projection, {}}));
      inputs.back()->SeekToFirst();
    }
    SCOPED_TRACE(fmt::format("seed {} iter {} {} prefix {} deltas {}", seed,
                             iter, schema.DebugString(), prefix, num_deltas));
    auto merge = MergingCursor::ByPrefix(schema, prefix, std::move(inputs));
    ASSERT_TRUE(merge->status().ok()) << merge->status();
    // The expected order: by prefix (stable), inputs in order, each
    // input's rows in key order.
    struct Ref {
      size_t delta, row;
    };
    std::vector<Ref> want;
    for (size_t d = 0; d < num_deltas; ++d) {
      for (size_t r = 0; r < deltas[d].num_rows(); ++r) want.push_back({d, r});
    }
    std::stable_sort(want.begin(), want.end(), [&](Ref a, Ref b) {
      return CompareKeys(deltas[a.delta], a.row, deltas[b.delta], b.row,
                         prefix) < 0;
    });
    RowBatch batch(types);
    size_t i = 0;
    while (merge->NextBatch(1 + rng() % 100, &batch)) {
      for (size_t r = 0; r < batch.num_rows(); ++r, ++i) {
        ASSERT_LT(i, want.size());
        const RowBatch& src = deltas[want[i].delta];
        for (size_t p = 0; p < projection.size(); ++p) {
          ASSERT_EQ(CompareValues(batch.column(p), r,
                                  src.column(projection[p]), want[i].row),
                    0)
              << "row " << i << " column " << projection[p];
        }
      }
    }
    ASSERT_TRUE(merge->status().ok()) << merge->status();
    EXPECT_EQ(i, want.size());
  }
}

// ByPrefix refuses string partition columns with a clear status.
TEST(MergingCursorTest, ByPrefixRejectsStringPrefixes) {
  Schema schema = *Schema::Create(
      {{"name", ColumnType::kString, Aggregation::kNone}},
      {{"n", ColumnType::kInt64, Aggregation::kSum}});
  auto merge = MergingCursor::ByPrefix(schema, 1, {});
  EXPECT_EQ(merge->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(merge->status().message()).find("'name'"),
            std::string::npos);
  RowBatch out(schema);
  EXPECT_FALSE(merge->NextBatch(10, &out));
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
  const std::vector<std::string> names = testing::KeyStringsAroundThePrefix();
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
