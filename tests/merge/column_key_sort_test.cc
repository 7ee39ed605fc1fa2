// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The sort straight from the key columns (merge/column_key_sort.h) against
// the reference model, on keys built to hit its edge cases: short strings
// that are prefixes of each other or hold 0x00 and 0xff bytes, signed
// numbers of both signs, doubles' zeros, infinities and NaNs. Each case
// checks that the column path was taken, so a silent fallback to encoded
// keys cannot make it pass.

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "src/format/key_coding.h"
#include "src/merge/column_key_sort.h"
#include "src/merge/sort_aggregate.h"
#include "src/workload/workload.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

using testing::RowToString;

// Short strings that order subtly: prefixes, zero bytes, 0xff, empty. At
// most 7 bytes: with the length, at most 60 bits vary.
const std::vector<std::string>& ShortStrings() {
  static const auto* v = new std::vector<std::string>{
      "",      std::string("\0", 1), std::string("\0\0", 2),
      "a",     std::string("a\0", 2), std::string("a\0\0", 3),
      "a\x01", "ab",                  "abcdefg",
      "\xff",  "\xff\xff\xff\xff\xff\xff\xff", "b",
      "US",    "DE"};
  return *v;
}

// Strings of 7 and 8 bytes that differ only in the last byte and length.
const std::vector<std::string>& EightByteStrings() {
  static const auto* v = new std::vector<std::string>{
      "prefix00", "prefix01", "prefix0", std::string("prefix0\0", 8),
      "prefix0\xff"};
  return *v;
}

bool eight_byte_strings = false;

const std::vector<double>& EdgeDoubles() {
  static const auto* v = new std::vector<double>{
      0.0, -0.0, 1.0, -1.0, std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(),
      -std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::denorm_min(), 1e300, -1e-300};
  return *v;
}

void AppendEdgeValue(std::mt19937_64& rng, ColumnVector* col) {
  switch (col->type()) {
    case ColumnType::kInt32: {
      static const int32_t v[] = {0, -1, 1, std::numeric_limits<int32_t>::min(),
                                  std::numeric_limits<int32_t>::max(), 255,
                                  256, -256};
      col->AppendInt32(v[rng() % std::size(v)]);
      return;
    }
    case ColumnType::kInt64: {
      static const int64_t v[] = {0, -1, 1, std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max(),
                                  1 << 20, -(1 << 20)};
      col->AppendInt64(v[rng() % std::size(v)]);
      return;
    }
    case ColumnType::kUint64: {
      static const uint64_t v[] = {0, 1, ~uint64_t{0}, uint64_t{1} << 63, 77};
      col->AppendUint64(v[rng() % std::size(v)]);
      return;
    }
    case ColumnType::kDouble:
      col->AppendDouble(EdgeDoubles()[rng() % EdgeDoubles().size()]);
      return;
    case ColumnType::kString: {
      const auto& v = eight_byte_strings ? EightByteStrings() : ShortStrings();
      col->AppendString(v[rng() % v.size()]);
      return;
    }
  }
}

Schema KeySchema(const std::vector<ColumnType>& types) {
  std::vector<ColumnSpec> keys;
  for (size_t k = 0; k < types.size(); ++k) {
    keys.push_back({fmt::format("k{}", k), types[k], Aggregation::kNone});
  }
  return *Schema::Create(keys, {{"sum", ColumnType::kInt64, Aggregation::kSum},
                                {"last", ColumnType::kString,
                                 Aggregation::kReplace},
                                {"low", ColumnType::kDouble,
                                 Aggregation::kMin}});
}

RowBatch EdgeRows(std::mt19937_64& rng, const Schema& schema, size_t n) {
  RowBatch rows(schema);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      if (c < schema.num_keys()) {
        AppendEdgeValue(rng, &rows.column(c));
      } else {
        testing::AppendRandomValue(rng, testing::Distribution::kRandom, r,
                                   &rows.column(c));
      }
    }
  }
  return rows;
}

void ExpectMatchesModel(const Schema& schema, const RowBatch& rows) {
  RowBatch want = rows;
  workload::SortAndAggregate(schema, &want);
  const RowBatch got = SortAndAggregateRows(schema, rows);
  ASSERT_EQ(got.num_rows(), want.num_rows());
  for (size_t r = 0; r < want.num_rows(); ++r) {
    ASSERT_TRUE(testing::RowsEquivalent(schema, got, r, want, r))
        << "row " << r << ": got " << RowToString(got, r) << " want "
        << RowToString(want, r);
  }
}

// One key column at a time, then pairs: at most 64 bits vary, so the
// column path sorts them.
TEST(ColumnKeySortTest, EdgeValuesOfEveryTypeMatchTheModel) {
  uint64_t seed = testing::TestSeed(83);
  std::mt19937_64 rng(seed);
  const std::vector<std::vector<ColumnType>> key_sets = {
      {ColumnType::kInt32},  {ColumnType::kInt64},
      {ColumnType::kUint64}, {ColumnType::kDouble},
      {ColumnType::kString}, {ColumnType::kInt32, ColumnType::kString},
  };
  for (size_t set = 0; set < key_sets.size(); ++set) {
    const Schema schema = KeySchema(key_sets[set]);
    eight_byte_strings = set + 1 == key_sets.size();
    SCOPED_TRACE(fmt::format("seed {} {}", seed, schema.DebugString()));
    const RowBatch rows = EdgeRows(rng, schema, 3000);
    std::vector<uint32_t> order(rows.num_rows());
    std::vector<uint8_t> dup(rows.num_rows());
    // Not every pair of types fits 64 varying bits; these do.
    ASSERT_TRUE(SortByKeyColumns(rows, schema.num_keys(), rows.num_rows(),
                                 &order, &dup));
    // Order and duplicates agree with the encoded keys' byte order.
    for (size_t i = 1; i < order.size(); ++i) {
      std::string a, b;
      AppendEncodedKey(rows, order[i - 1], schema.num_keys(), &a);
      AppendEncodedKey(rows, order[i], schema.num_keys(), &b);
      ASSERT_LE(a, b) << "at " << i;
      ASSERT_EQ(dup[i] != 0, a == b) << "at " << i;
      if (a == b) {
        ASSERT_LT(order[i - 1], order[i]) << "stable at " << i;
      }
    }
    ExpectMatchesModel(schema, rows);
  }
}

// Few distinct values in wide columns: the varying bits are spread over
// several fields, at most 64 of them.
TEST(ColumnKeySortTest, VaryingBytesInSeveralFieldsMatchTheModel) {
  uint64_t seed = testing::TestSeed(89);
  std::mt19937_64 rng(seed);
  const Schema schema =
      KeySchema({ColumnType::kInt64, ColumnType::kInt32, ColumnType::kUint64,
                 ColumnType::kString, ColumnType::kDouble});
  for (int iter = 0; iter < 20; ++iter) {
    RowBatch rows(schema);
    const int spread = 1 + static_cast<int>(rng() % 3);
    for (size_t r = 0; r < 2000; ++r) {
      rows.column(0).AppendInt64(
          static_cast<int64_t>(rng() % 5) << (8 * (rng() % 2 ? 0 : 5)));
      rows.column(1).AppendInt32(static_cast<int32_t>(rng() % 3) - 1);
      rows.column(2).AppendUint64(rng() % 2 ? 0 : uint64_t{1} << 40);
      rows.column(3).AppendString(std::string(rng() % spread, 'x'));
      rows.column(4).AppendDouble(rng() % 2 ? 0.0 : -0.0);
      for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
        testing::AppendRandomValue(rng, testing::Distribution::kRandom, r,
                                   &rows.column(c));
      }
    }
    SCOPED_TRACE(fmt::format("seed {} iter {}", seed, iter));
    ExpectMatchesModel(schema, rows);
  }
}

TEST(ColumnKeySortTest, FallsBackForLongStringsAndManyVaryingBytes) {
  const Schema schema = KeySchema({ColumnType::kString});
  RowBatch rows(schema);
  for (const char* s : {"ninebytes", "a", "ninebytez", "a"}) {
    rows.column(0).AppendString(s);
    rows.column(1).AppendInt64(1);
    rows.column(2).AppendString("v");
    rows.column(3).AppendDouble(1.0);
  }
  std::vector<uint32_t> order(4);
  std::vector<uint8_t> dup(4);
  EXPECT_FALSE(SortByKeyColumns(rows, 1, 4, &order, &dup));
  ExpectMatchesModel(schema, rows);

  const Schema two = KeySchema({ColumnType::kInt64, ColumnType::kInt64});
  std::mt19937_64 rng(testing::TestSeed(97));
  RowBatch wide(two);
  for (size_t r = 0; r < 500; ++r) {
    wide.column(0).AppendInt64(static_cast<int64_t>(rng()));
    wide.column(1).AppendInt64(static_cast<int64_t>(rng() % 4));
    wide.column(2).AppendInt64(1);
    wide.column(3).AppendString("v");
    wide.column(4).AppendDouble(1.0);
  }
  std::vector<uint32_t> o(500);
  std::vector<uint8_t> d(500);
  EXPECT_FALSE(SortByKeyColumns(wide, 2, 500, &o, &d));
  ExpectMatchesModel(two, wide);
}

// The ads batches the drivers commit, with repeated keys, through the
// column path.
TEST(ColumnKeySortTest, AdsBatchesMatchTheModel) {
  RowBatch ads(workload::AdsSchema());
  workload::FillAdsBatch(0, 30000, &ads);
  const RowBatch first = ads;
  ads.AppendRows(first, 100, 9000);
  std::vector<uint32_t> order(ads.num_rows());
  std::vector<uint8_t> dup(ads.num_rows());
  ASSERT_TRUE(SortByKeyColumns(ads, workload::AdsSchema().num_keys(),
                               ads.num_rows(), &order, &dup));
  ExpectMatchesModel(workload::AdsSchema(), ads);
}

// Sorting into a kept batch: one of another schema is replaced, one of
// this schema is reused, larger or smaller than before; every result is
// the model's.
TEST(SortAggregateIntoTest, KeptBatchGivesTheSameRows) {
  uint64_t seed = testing::TestSeed(113);
  std::mt19937_64 rng(seed);
  RowBatch out(KeySchema({ColumnType::kString}));
  out.column(0).AppendString("stale");
  for (int iter = 0; iter < 30; ++iter) {
    const Schema schema =
        iter < 15 ? workload::AdsSchema() : testing::RandomSchema(rng, 3, 3);
    RowBatch rows(schema);
    const size_t n = rng() % 3000;
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        testing::AppendRandomValue(rng,
                                   c < schema.num_keys()
                                       ? testing::Distribution::kSkewed
                                       : testing::Distribution::kRandom,
                                   r, &rows.column(c));
      }
    }
    SortAndAggregateRows(schema, rows, &out);
    RowBatch want = rows;
    workload::SortAndAggregate(schema, &want);
    SCOPED_TRACE(fmt::format("seed {} iter {}", seed, iter));
    ASSERT_EQ(out.num_columns(), schema.num_columns());
    ASSERT_EQ(out.num_rows(), want.num_rows());
    for (size_t r = 0; r < want.num_rows(); ++r) {
      ASSERT_TRUE(testing::RowsEquivalent(schema, out, r, want, r))
          << "row " << r << ": got " << RowToString(out, r) << " want "
          << RowToString(want, r);
    }
  }
}

TEST(ColumnKeySortTest, RadixSortIsStable) {
  std::vector<PackedEntry> a, b(1000);
  std::mt19937_64 rng(testing::TestSeed(101));
  for (uint32_t r = 0; r < 1000; ++r) a.push_back({rng() % 50 << 16, r});
  std::vector<PackedEntry> want = a;
  std::stable_sort(want.begin(), want.end(),
                   [](const PackedEntry& x, const PackedEntry& y) {
                     return x.key < y.key;
                   });
  RadixSortPacked(22, &a, &b);
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].key, want[i].key) << i;
    ASSERT_EQ(a[i].row, want[i].row) << i;
  }
}

}  // namespace
}  // namespace mesa::internal
