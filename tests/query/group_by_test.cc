// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// GroupAggregator: the bulk path (AddRange, which for number partitions and
// one more group column hoists the columns and finds groups through its own
// word index) and the row path (Add) against a std::map model, on inputs
// sorted by the partition columns, fed in chunks of random sizes.

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "src/merge/aggregate.h"
#include "src/query/group_by.h"

namespace mesa::internal {
namespace {

// Input columns: 0 a (int64, partition), 1 b (int32, partition in the
// two-prefix case), 2 g (string or int64: the group column), then values
// 3 sum (int64 SUM), 4 dmax (double MAX), 5 umin (uint64 MIN).
struct Case {
  bool string_group;
  size_t prefix;  // 1: partitions by a; 2: by (a, b)
};

using Key = std::tuple<int64_t, int64_t, std::string>;
struct Sums {
  uint64_t sum = 0;
  double dmax = 0;
  uint64_t umin = 0;
};

RowBatch MakeInput(const Case& c, std::mt19937_64* rng, size_t rows,
                   std::map<Key, Sums>* model) {
  const std::vector<std::string> pool = {
      "",   "a",       std::string("a\0", 2), "US",  "JP",  "DE", "abcdefg",
      "abcdefgh", "a long group key", std::string("x\0y\0z\0w\0q", 9)};
  RowBatch in(std::vector<ColumnType>{
      ColumnType::kInt64, ColumnType::kInt32,
      c.string_group ? ColumnType::kString : ColumnType::kInt64,
      ColumnType::kInt64, ColumnType::kDouble, ColumnType::kUint64});
  std::vector<std::tuple<int64_t, int32_t>> prefixes;
  for (size_t r = 0; r < rows; ++r) {
    prefixes.emplace_back(static_cast<int64_t>((*rng)() % 40) - 20,
                          static_cast<int32_t>((*rng)() % 3));
  }
  std::sort(prefixes.begin(), prefixes.end());
  for (auto [a, b] : prefixes) {
    in.column(0).AppendInt64(a);
    in.column(1).AppendInt32(b);
    std::string g;
    if (c.string_group) {
      g = pool[(*rng)() % pool.size()];
      in.column(2).AppendString(g);
    } else {
      // Words that collide in the low bits, and large ones.
      const int64_t v = static_cast<int64_t>(((*rng)() % 50) << 40) -
                        static_cast<int64_t>((*rng)() % 2);
      in.column(2).AppendInt64(v);
      g = std::to_string(v);
    }
    const uint64_t s = (*rng)();  // sums wrap
    const double d = static_cast<double>((*rng)() % 1000) - 500.5;
    const uint64_t u = (*rng)() % 100000;
    in.column(3).AppendWord(s);
    in.column(4).AppendDouble(d);
    in.column(5).AppendUint64(u);
    Key key{a, c.prefix == 2 ? b : 0, g};
    auto [it, fresh] = model->try_emplace(key, Sums{s, d, u});
    if (!fresh) {
      it->second.sum += s;
      it->second.dmax = std::max(it->second.dmax, d);
      it->second.umin = std::min(it->second.umin, u);
    }
  }
  return in;
}

GroupAggregator MakeAggregator(const Case& c) {
  std::vector<size_t> keys = c.prefix == 2 ? std::vector<size_t>{0, 1, 2}
                                           : std::vector<size_t>{0, 2};
  std::vector<ColumnType> types;
  types.push_back(ColumnType::kInt64);
  if (c.prefix == 2) types.push_back(ColumnType::kInt32);
  types.push_back(c.string_group ? ColumnType::kString : ColumnType::kInt64);
  std::vector<GroupValue> values = {
      {3, Aggregation::kSum, ColumnType::kInt64},
      {4, Aggregation::kMax, ColumnType::kDouble},
      {5, Aggregation::kMin, ColumnType::kUint64}};
  return GroupAggregator(std::move(keys), c.prefix, std::move(values),
                         std::move(types));
}

// Runs the aggregator over `in` in random chunks, by AddRange or by Add.
RowBatch Aggregate(const Case& c, const RowBatch& in, bool bulk,
                   std::mt19937_64* rng) {
  GroupAggregator agg = MakeAggregator(c);
  RowBatch out(agg.row_types());
  size_t r = 0;
  while (r < in.num_rows()) {
    const size_t end = std::min(in.num_rows(), r + 1 + (*rng)() % 300);
    if (bulk) {
      agg.AddRange(in, r, end, &out);
    } else {
      for (; r < end; ++r) agg.Add(in, r, &out);
    }
    r = end;
  }
  agg.Finish(&out);
  EXPECT_EQ(agg.groups(), out.num_rows());
  return out;
}

void CheckAgainstModel(const Case& c, const RowBatch& out,
                       const std::map<Key, Sums>& model) {
  ASSERT_EQ(out.num_rows(), model.size());
  const size_t ng = c.prefix + 1;
  // Output order: by partition, then by the group column's value.
  std::vector<std::pair<Key, Sums>> got;
  for (size_t r = 0; r < out.num_rows(); ++r) {
    const int64_t a = out.column(0).GetInt64(r);
    const int64_t b = c.prefix == 2 ? out.column(1).GetInt32(r) : 0;
    const ColumnVector& g = out.column(c.prefix);
    std::string gs = c.string_group ? std::string(g.GetString(r))
                                    : std::to_string(g.GetInt64(r));
    got.push_back({Key{a, b, gs},
                   Sums{out.column(ng).GetWord(r), out.column(ng + 1).GetDouble(r),
                        out.column(ng + 2).GetUint64(r)}});
    if (r > 0) {
      const int64_t pa = out.column(0).GetInt64(r - 1);
      const int64_t pb = c.prefix == 2 ? out.column(1).GetInt32(r - 1) : 0;
      ASSERT_LE(std::tie(pa, pb), std::tie(a, b)) << "row " << r;
      if (pa == a && pb == b) {
        ASSERT_LT(CompareValues(g, r - 1, g, r), 0) << "row " << r;
      }
    }
  }
  std::sort(got.begin(), got.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  size_t i = 0;
  for (const auto& [key, sums] : model) {
    ASSERT_EQ(got[i].first, key);
    EXPECT_EQ(got[i].second.sum, sums.sum);
    EXPECT_EQ(got[i].second.dmax, sums.dmax);
    EXPECT_EQ(got[i].second.umin, sums.umin);
    ++i;
  }
}

class GroupByTest : public ::testing::TestWithParam<Case> {};

TEST_P(GroupByTest, BulkAndRowPathsMatchTheModel) {
  const Case c = GetParam();
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    std::map<Key, Sums> model;
    // Sizes from a few rows to enough groups per partition to grow the
    // word index.
    const size_t rows = seed % 4 == 0 ? 5 : 200 + (rng() % 5000);
    RowBatch in = MakeInput(c, &rng, rows, &model);
    RowBatch bulk = Aggregate(c, in, /*bulk=*/true, &rng);
    RowBatch one = Aggregate(c, in, /*bulk=*/false, &rng);
    CheckAgainstModel(c, bulk, model);
    CheckAgainstModel(c, one, model);
  }
}

// Many groups in one partition (the word index grows several times) and
// many partitions (its generations turn over).
TEST(GroupByBulkTest, ManyGroupsInOnePartitionAndManyPartitions) {
  const Case c{false, 1};
  RowBatch in(std::vector<ColumnType>{
      ColumnType::kInt64, ColumnType::kInt32, ColumnType::kInt64,
      ColumnType::kInt64, ColumnType::kDouble, ColumnType::kUint64});
  std::map<Key, Sums> model;
  auto add = [&](int64_t a, int64_t g) {
    in.column(0).AppendInt64(a);
    in.column(1).AppendInt32(0);
    in.column(2).AppendInt64(g);
    in.column(3).AppendInt64(1);
    in.column(4).AppendDouble(0.5);
    in.column(5).AppendUint64(7);
    auto [it, fresh] = model.try_emplace(Key{a, 0, std::to_string(g)},
                                         Sums{1, 0.5, 7});
    if (!fresh) ++it->second.sum;
  };
  for (int64_t g = 0; g < 5000; ++g) add(0, (g * 7919) % 3000);
  for (int64_t a = 1; a < 20000; ++a) add(a, a % 3);
  std::mt19937_64 rng(3);
  CheckAgainstModel(c, Aggregate(c, in, /*bulk=*/true, &rng), model);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, GroupByTest,
    ::testing::Values(Case{true, 1}, Case{true, 2}, Case{false, 1},
                      Case{false, 2}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(info.param.string_group ? "String" : "Word") +
             "Prefix" + std::to_string(info.param.prefix);
    });

}  // namespace
}  // namespace mesa::internal
