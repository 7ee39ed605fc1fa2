// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The delta writer's key-order check (column at a time) against a row-at-
// a-time reference, and zone maps taken from the encoder's statistics
// (ZoneMap::OfOrderedInts) against ZoneMap::Of.

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/format/column_encoding.h"
#include "src/format/delta_writer.h"
#include "src/format/zone_map.h"
#include "src/merge/aggregate.h"
#include "src/merge/sort_aggregate.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

// The first row of [1, n) whose key is not above its predecessor's, and
// whether it is equal; n if none.
size_t ReferenceFirstOutOfOrder(const RowBatch& rows, size_t keys,
                                bool* equal) {
  for (size_t r = 1; r < rows.num_rows(); ++r) {
    const int c = CompareKeys(rows, r, rows, r - 1, keys);
    if (c <= 0) {
      *equal = c == 0;
      return r;
    }
  }
  return rows.num_rows();
}

// Sorted unique rows, then one disorder: two rows swapped, a row repeated,
// or a row's later key column changed, so that the check must look past
// the leading columns.
TEST(DeltaWriterOrderCheckTest, RejectsTheFirstBadRowLikeTheReference) {
  uint64_t seed = testing::TestSeed(103);
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  int rejected = 0;
  for (int iter = 0; iter < 200; ++iter) {
    const Schema schema = testing::RandomSchema(rng, 4, 2);
    RowBatch raw(schema);
    const size_t n = 2 + rng() % 300;
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        testing::AppendRandomValue(rng, testing::Distribution::kSkewed, r,
                                   &raw.column(c));
      }
    }
    const RowBatch sorted = SortAndAggregateRows(schema, raw);
    RowBatch rows(schema);
    const size_t m = sorted.num_rows();
    const size_t at = m > 1 ? 1 + rng() % (m - 1) : 0;
    switch (iter % 4) {
      case 0:  // as sorted
        rows = sorted;
        break;
      case 1:  // rows at - 1 and at swapped
        rows.AppendRows(sorted, 0, at == 0 ? 0 : at - 1);
        if (at > 0) {
          rows.AppendRows(sorted, at, at + 1);
          rows.AppendRows(sorted, at - 1, at);
        }
        rows.AppendRows(sorted, at == 0 ? 0 : at + 1, m);
        break;
      case 2:  // row at repeated
        rows.AppendRows(sorted, 0, at + 1);
        rows.AppendRows(sorted, at, m);
        break;
      case 3: {  // the last key column of row `at` taken from row 0
        rows = sorted;
        const size_t last = schema.num_keys() - 1;
        RowBatch changed(schema);
        changed.AppendRows(sorted, 0, at);
        for (size_t c = 0; c < schema.num_columns(); ++c) {
          changed.column(c).AppendFrom(sorted.column(c),
                                       c == last ? 0 : at);
        }
        changed.AppendRows(sorted, at + 1, m);
        rows = changed;
        break;
      }
    }
    bool equal = false;
    const size_t want = ReferenceFirstOutOfOrder(rows, schema.num_keys(), &equal);
    const std::string path = fmt::format("/d{}.delta", iter);
    auto writer = DeltaWriter::Create(
        {fs.get(), path, schema, 1, 1, DeltaFileOptions(), 0});
    ASSERT_TRUE(writer.ok());
    const absl::Status s = (*writer)->Add(rows);
    SCOPED_TRACE(fmt::format("seed {} iter {} {}", seed, iter,
                             schema.DebugString()));
    if (want == rows.num_rows()) {
      EXPECT_TRUE(s.ok()) << s;
      continue;
    }
    ++rejected;
    ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(fmt::format("row {} of", want)),
              std::string::npos)
        << s;
    EXPECT_NE(s.message().find(equal ? "equal to" : "smaller than"),
              std::string::npos)
        << s;
  }
  EXPECT_GT(rejected, 50);
}

TEST(ZoneMapTest, OfOrderedIntsMatchesOf) {
  uint64_t seed = testing::TestSeed(107);
  std::mt19937_64 rng(seed);
  for (ColumnType type :
       {ColumnType::kInt32, ColumnType::kInt64, ColumnType::kUint64}) {
    for (testing::Distribution dist : testing::kAllDistributions) {
      ColumnVector col(type);
      const size_t n = 1 + rng() % 2000;
      for (size_t r = 0; r < n; ++r) {
        testing::AppendRandomValue(rng, dist, r, &col);
      }
      const ColumnSketch sketch = SketchColumn(col);
      const ZoneMap want = ZoneMap::Of(col, 0, n);
      const ZoneMap got =
          ZoneMap::OfOrderedInts(type, sketch.stats.min, sketch.stats.max);
      SCOPED_TRACE(fmt::format("seed {} type {} n {}", seed,
                               ColumnTypeName(type), n));
      ASSERT_TRUE(got.has_max());
      EXPECT_EQ(got.bounds().GetWord(0), want.bounds().GetWord(0));
      EXPECT_EQ(got.bounds().GetWord(1), want.bounds().GetWord(1));
    }
  }
}

// Short strings take a path that compares words, longer ones compare
// bytes: both against the plain minimum and maximum.
TEST(ZoneMapTest, StringBoundsMatchTheByteOrder) {
  uint64_t seed = testing::TestSeed(109);
  std::mt19937_64 rng(seed);
  const std::vector<std::string> pool = {
      "",  std::string("\0", 1), std::string("a\0", 2), "a", "ab",
      "\xff", std::string("\xff\0", 2), "abcdefgh", "abcdefg", "US", "DE",
      "zzzzzzzz"};
  for (int iter = 0; iter < 300; ++iter) {
    ColumnVector col(ColumnType::kString);
    const size_t n = 1 + rng() % 40;
    const bool with_long = iter % 3 == 0;
    for (size_t r = 0; r < n; ++r) {
      if (with_long && rng() % 8 == 0) {
        col.AppendString(std::string(9 + rng() % 40, 'a' + rng() % 3));
      } else {
        col.AppendString(pool[rng() % pool.size()]);
      }
    }
    const size_t begin = rng() % n;
    std::string_view lo = col.GetString(begin), hi = lo;
    for (size_t r = begin; r < n; ++r) {
      lo = std::min(lo, col.GetString(r));
      hi = std::max(hi, col.GetString(r));
    }
    const ZoneMap z = ZoneMap::Of(col, begin, n);
    SCOPED_TRACE(fmt::format("seed {} iter {}", seed, iter));
    EXPECT_EQ(z.bounds().GetString(0), lo.substr(0, ZoneMap::kMaxStringBound));
    EXPECT_EQ(z.has_max(), hi.size() <= ZoneMap::kMaxStringBound);
    if (z.has_max()) {
      EXPECT_EQ(z.bounds().GetString(1), hi);
    }
  }
}

}  // namespace
}  // namespace mesa::internal
