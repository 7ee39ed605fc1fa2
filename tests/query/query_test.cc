// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Unit tests of the query module: KeyRanges (seek targets), resume tokens,
// scan planning errors, and the rollup chooser.

#include <limits>
#include <random>

#include "gtest/gtest.h"
#include "src/format/key_coding.h"
#include "src/query/key_ranges.h"
#include "src/query/resume_token.h"
#include "src/query/rollup_chooser.h"
#include "src/query/scan_plan.h"

namespace mesa::internal {
namespace {

Schema Keys3() {
  return *Schema::Create({{"a", ColumnType::kInt64},
                          {"b", ColumnType::kInt32},
                          {"c", ColumnType::kString}},
                         {{"v", ColumnType::kInt64, Aggregation::kSum},
                          {"w", ColumnType::kDouble, Aggregation::kMax}});
}

ColumnPredicate Pred(size_t col, ColumnType type, CompareOp op,
                     std::vector<int64_t> values) {
  ColumnPredicate p;
  p.column = col;
  p.op = op;
  p.operands = ColumnVector(type);
  for (int64_t v : values) p.operands.AppendWord(static_cast<uint64_t>(v));
  return p;
}

RowBatch Row(int64_t a, int32_t b, std::string_view c) {
  RowBatch r(std::vector<ColumnType>{ColumnType::kInt64, ColumnType::kInt32,
                                     ColumnType::kString});
  r.column(0).AppendInt64(a);
  r.column(1).AppendInt32(b);
  r.column(2).AppendString(c);
  return r;
}

std::string Enc(const RowBatch& row, size_t cols) {
  std::string s;
  AppendEncodedKey(row, 0, cols, &s);
  return s;
}

TEST(KeyRangesTest, SkipScanOnTheSecondColumn) {
  KeyRanges r(Keys3(), {Pred(1, ColumnType::kInt32, CompareOp::kEq, {5})});
  EXPECT_TRUE(r.skips());
  EXPECT_EQ(r.Start(), "");
  std::string t;
  EXPECT_EQ(r.Next(Row(1, 3, "x"), 0, &t), KeyRanges::Step::kSeek);
  EXPECT_EQ(t, Enc(Row(1, 5, ""), 2));
  EXPECT_EQ(r.Next(Row(1, 5, "x"), 0, &t), KeyRanges::Step::kMatch);
  EXPECT_EQ(r.Next(Row(1, 7, ""), 0, &t), KeyRanges::Step::kSeek);
  EXPECT_EQ(t, Enc(Row(2, 0, ""), 1));  // the next advertiser
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(r.Next(Row(max, 7, ""), 0, &t), KeyRanges::Step::kEnd);
}

TEST(KeyRangesTest, InListsRangesAndEmptySets) {
  KeyRanges in(Keys3(), {Pred(0, ColumnType::kInt64, CompareOp::kIn, {3, 1, 2}),
                         Pred(0, ColumnType::kInt64, CompareOp::kGt, {1})});
  EXPECT_FALSE(in.empty());
  EXPECT_EQ(in.Start(), Enc(Row(2, 0, ""), 1));
  std::string t;
  EXPECT_EQ(in.Next(Row(1, 0, ""), 0, &t), KeyRanges::Step::kSeek);
  EXPECT_EQ(t, Enc(Row(2, 0, ""), 1));
  EXPECT_EQ(in.Next(Row(2, 9, "q"), 0, &t), KeyRanges::Step::kMatch);
  EXPECT_EQ(in.Next(Row(4, 0, ""), 0, &t), KeyRanges::Step::kEnd);

  KeyRanges range(Keys3(),
                  {Pred(0, ColumnType::kInt64, CompareOp::kEq, {7}),
                   Pred(1, ColumnType::kInt32, CompareOp::kGe, {10}),
                   Pred(1, ColumnType::kInt32, CompareOp::kLt, {20})});
  EXPECT_FALSE(range.skips());
  EXPECT_EQ(range.Start(), Enc(Row(7, 10, ""), 2));
  EXPECT_EQ(range.Next(Row(7, 19, "z"), 0, &t), KeyRanges::Step::kMatch);
  EXPECT_EQ(range.Next(Row(7, 20, ""), 0, &t), KeyRanges::Step::kSeek);
  EXPECT_EQ(t, Enc(Row(8, 0, ""), 1));
  EXPECT_EQ(range.Next(Row(8, 10, ""), 0, &t), KeyRanges::Step::kEnd);

  EXPECT_TRUE(KeyRanges(Keys3(),
                        {Pred(0, ColumnType::kInt64, CompareOp::kEq, {1}),
                         Pred(0, ColumnType::kInt64, CompareOp::kEq, {2})})
                  .empty());
  EXPECT_TRUE(KeyRanges(Keys3(),
                        {Pred(1, ColumnType::kInt32, CompareOp::kGt, {5}),
                         Pred(1, ColumnType::kInt32, CompareOp::kLe, {5})})
                  .empty());
  // != filters do not seek (the scan checks them row by row).
  KeyRanges ne(Keys3(), {Pred(0, ColumnType::kInt64, CompareOp::kNe, {1})});
  EXPECT_EQ(ne.Next(Row(1, 0, ""), 0, &t), KeyRanges::Step::kMatch);
}

TEST(KeyRangesTest, IntervalsHaveExactUpperBounds) {
  std::string up;
  // a = 7 AND 10 <= b < 20: [(7, 10), (7, 20)).
  KeyRanges range(Keys3(),
                  {Pred(0, ColumnType::kInt64, CompareOp::kEq, {7}),
                   Pred(1, ColumnType::kInt32, CompareOp::kGe, {10}),
                   Pred(1, ColumnType::kInt32, CompareOp::kLt, {20})});
  ASSERT_TRUE(range.Interval(&up));
  EXPECT_EQ(up, Enc(Row(7, 20, ""), 2));
  // b <= 20 ends before (7, 21).
  KeyRanges le(Keys3(), {Pred(0, ColumnType::kInt64, CompareOp::kEq, {7}),
                         Pred(1, ColumnType::kInt32, CompareOp::kLe, {20})});
  ASSERT_TRUE(le.Interval(&up));
  EXPECT_EQ(up, Enc(Row(7, 21, ""), 2));
  EXPECT_EQ(le.Start(), Enc(Row(7, 0, ""), 1));
  // A prefix alone ends before the next value of its last column.
  KeyRanges prefix(Keys3(), {Pred(0, ColumnType::kInt64, CompareOp::kEq, {7}),
                             Pred(1, ColumnType::kInt32, CompareOp::kEq, {3})});
  ASSERT_TRUE(prefix.Interval(&up));
  EXPECT_EQ(up, Enc(Row(7, 4, ""), 2));
  // b <= INT32_MAX under a = 7: every key of a = 7, so before a = 8.
  KeyRanges top(Keys3(),
                {Pred(0, ColumnType::kInt64, CompareOp::kEq, {7}),
                 Pred(1, ColumnType::kInt32, CompareOp::kLe,
                      {std::numeric_limits<int32_t>::max()})});
  ASSERT_TRUE(top.Interval(&up));
  EXPECT_EQ(up, Enc(Row(8, 0, ""), 1));
  // a >= 5 only: no upper end.
  KeyRanges open(Keys3(), {Pred(0, ColumnType::kInt64, CompareOp::kGe, {5})});
  ASSERT_TRUE(open.Interval(&up));
  EXPECT_EQ(up, "");
  // Not one interval: an IN list, a filter past the range column, a
  // filter on a later column only, an empty set.
  EXPECT_FALSE(KeyRanges(Keys3(), {Pred(0, ColumnType::kInt64, CompareOp::kIn,
                                        {1, 3})})
                   .Interval(&up));
  EXPECT_FALSE(KeyRanges(Keys3(),
                         {Pred(0, ColumnType::kInt64, CompareOp::kGe, {1}),
                          Pred(1, ColumnType::kInt32, CompareOp::kEq, {3})})
                   .Interval(&up));
  EXPECT_FALSE(KeyRanges(Keys3(),
                         {Pred(1, ColumnType::kInt32, CompareOp::kEq, {3})})
                   .Interval(&up));
  EXPECT_FALSE(KeyRanges(Keys3(),
                         {Pred(0, ColumnType::kInt64, CompareOp::kEq, {1}),
                          Pred(0, ColumnType::kInt64, CompareOp::kEq, {2})})
                   .Interval(&up));
  // Every key in [Start(), upper) is admitted and none outside, on a grid.
  for (const KeyRanges* r : {&range, &le, &prefix, &top}) {
    ASSERT_TRUE(r->Interval(&up));
    const std::string start = r->Start();
    for (int64_t a = 5; a <= 9; ++a) {
      for (int32_t b : {0, 3, 4, 9, 10, 19, 20, 21,
                        std::numeric_limits<int32_t>::max()}) {
        const RowBatch row = Row(a, b, "k");
        const std::string key = Enc(row, 3);
        std::string t;
        const bool admitted =
            r->Next(row, 0, &t) == KeyRanges::Step::kMatch;
        EXPECT_EQ(admitted, key >= start && (up.empty() || key < up))
            << a << " " << b;
      }
    }
  }
}

TEST(KeyRangesTest, SuccessorsOfEveryType) {
  ColumnVector i32(ColumnType::kInt32), out32(ColumnType::kInt32);
  i32.AppendInt32(std::numeric_limits<int32_t>::max());
  EXPECT_FALSE(AppendSuccessor(i32, 0, &out32));
  ColumnVector s(ColumnType::kString), out_s(ColumnType::kString);
  s.AppendString("ab");
  ASSERT_TRUE(AppendSuccessor(s, 0, &out_s));
  EXPECT_EQ(out_s.GetString(0), std::string_view("ab\0", 3));
  ColumnVector d(ColumnType::kDouble), out_d(ColumnType::kDouble);
  d.AppendDouble(-0.0);
  ASSERT_TRUE(AppendSuccessor(d, 0, &out_d));
  EXPECT_EQ(out_d.GetDouble(0), 0.0);
  EXPECT_FALSE(std::signbit(out_d.GetDouble(0)));
  ColumnVector u(ColumnType::kUint64), out_u(ColumnType::kUint64);
  u.AppendUint64(std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(AppendSuccessor(u, 0, &out_u));
}

TEST(ResumeTokenTest, RoundTripsAndRejectsEveryCorruption) {
  ResumePosition p{42, "ads", 0x1234567890abcdefull, std::string("\0\xff k", 4)};
  const std::string token = EncodeResumeToken(p);
  auto back = DecodeResumeToken(token);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, p);
  ResumePosition start{1, "t", 7, std::nullopt};
  EXPECT_EQ(*DecodeResumeToken(EncodeResumeToken(start)), start);
  // Any changed character, any truncation: InvalidArgument, never a crash.
  for (size_t i = 0; i < token.size(); ++i) {
    for (char c : {'A', '-', '_', 'z', '0'}) {
      if (token[i] == c) continue;
      std::string bad = token;
      bad[i] = c;
      auto got = DecodeResumeToken(bad);
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument)
          << i << " " << c;
    }
    auto cut = DecodeResumeToken(token.substr(0, i));
    EXPECT_EQ(cut.status().code(), absl::StatusCode::kInvalidArgument) << i;
  }
  EXPECT_FALSE(DecodeResumeToken("not base64 at all!").ok());
}

TEST(ScanPlanTest, PlansGroupsAndRejectsBadSpecs) {
  const Schema schema = Keys3();
  ScanSpec spec;
  spec.group_by = {"c", "a"};
  spec.columns = {"v", "c"};
  spec.filters = {{"w", FilterOp::kGt, {1.5}}};
  auto plan = PlanScan(schema, "t", spec);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->group_keys, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(plan->group_prefix, 1u);
  EXPECT_EQ(plan->names, (std::vector<std::string>{"v", "c"}));
  EXPECT_EQ(plan->output, (std::vector<size_t>{2, 1}));
  // w is read for the filter though not projected.
  EXPECT_EQ(plan->merge_values, (std::vector<size_t>{3, 4}));
  ScanSpec other = spec;
  other.batch_rows = 3;
  other.allow_skip_scan = false;
  EXPECT_EQ(PlanScan(schema, "t", other)->fingerprint, plan->fingerprint);
  other.filters[0].values = {2.5};
  EXPECT_NE(PlanScan(schema, "t", other)->fingerprint, plan->fingerprint);

  ScanSpec bad;
  bad.filters = {{"b", FilterOp::kIn, {int64_t{1}, "x"}}};
  EXPECT_EQ(PlanScan(schema, "t", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.filters = {{"w", FilterOp::kEq, {int64_t{(int64_t{1} << 53) + 1}}}};
  EXPECT_EQ(PlanScan(schema, "t", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad.filters.clear();
  bad.group_by = {"v"};
  EXPECT_EQ(PlanScan(schema, "t", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RollupChooserTest, PicksTheSmallestCoveringRollup) {
  QueryShape q;
  q.grouped = true;
  q.group_by = {"advertiser_id", "country"};
  q.filter_columns = {"country"};
  q.value_columns = {"clicks"};
  std::vector<RollupCandidate> c = {
      {"big", {"advertiser_id", "date", "country"}, {"clicks", "cost"}, 900,
       true},
      {"small", {"advertiser_id", "country"}, {"clicks"}, 100, true},
      {"not_ready", {"advertiser_id", "country"}, {"clicks"}, 10, false},
      {"no_clicks", {"advertiser_id", "country"}, {"cost"}, 5, true},
      {"reordered", {"country", "advertiser_id"}, {"clicks"}, 1, true},
      {"no_country", {"advertiser_id"}, {"clicks"}, 1, true},
  };
  EXPECT_EQ(ChooseRollup(q, c), std::optional<size_t>(1));
  c[1].bytes = 1000;
  EXPECT_EQ(ChooseRollup(q, c), std::optional<size_t>(0));
  c[0].usable = false;
  EXPECT_EQ(ChooseRollup(q, c), std::optional<size_t>(1));
  // A filter on a value column, or no grouping: only the table answers.
  QueryShape value_filter = q;
  value_filter.filter_columns.push_back("clicks");
  EXPECT_EQ(ChooseRollup(value_filter, c), std::nullopt);
  QueryShape plain = q;
  plain.grouped = false;
  EXPECT_EQ(ChooseRollup(plain, c), std::nullopt);
  // A filter on a key the rollup keeps but the query does not group by.
  QueryShape date = q;
  date.filter_columns = {"date"};
  c[0].usable = true;
  EXPECT_EQ(ChooseRollup(date, c), std::optional<size_t>(0));
  // Ties: the first name.
  std::vector<RollupCandidate> tie = {
      {"b", {"advertiser_id", "country"}, {"clicks"}, 5, true},
      {"a", {"advertiser_id", "country"}, {"clicks"}, 5, true}};
  EXPECT_EQ(ChooseRollup(q, tie), std::optional<size_t>(1));
}

}  // namespace
}  // namespace mesa::internal
