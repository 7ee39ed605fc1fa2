// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Scans with filters, GROUP BY, skip-scan, Explain and resume tokens on a
// small ads-like table (keys advertiser, date, publisher, country), each
// answer checked against the model (tests/db/query_model.h).

#include <map>
#include <random>

#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"
#include "tests/db/query_model.h"

namespace mesa {
namespace {

using testing::ModelQuery;
using testing::QueryColumns;
using testing::SameRows;

Schema AdsLike() {
  return *Schema::Create({{"adv", ColumnType::kInt64},
                          {"date", ColumnType::kInt32},
                          {"pub", ColumnType::kInt64},
                          {"country", ColumnType::kString}},
                         {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                          {"cost", ColumnType::kInt64, Aggregation::kSum},
                          {"best", ColumnType::kString, Aggregation::kMax},
                          {"last", ColumnType::kInt64, Aggregation::kReplace}});
}

class QueryScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = NewMemFileSystem();
    Options o;
    o.fs = fs_.get();
    o.background_threads = 0;
    db_ = *Database::Open(o, "/db");
    TableOptions topts;
    topts.delta_file.block_size = 512;  // many blocks: skips show
    table_ = *db_->CreateTable("ads", AdsLike(), topts);
    model_.schema = AdsLike();
    // A few advertisers with many rows each, over 30 dates.
    std::mt19937_64 rng(7);
    const char* countries[] = {"US", "DE", "JP", "BR"};
    for (int b = 0; b < 3; ++b) {
      RowBatch rows(AdsLike());
      for (int i = 0; i < 3000; ++i) {
        rows.column(0).AppendInt64(1 + static_cast<int64_t>(rng() % 6));
        rows.column(1).AppendInt32(20000 + static_cast<int32_t>(rng() % 30));
        rows.column(2).AppendInt64(static_cast<int64_t>(rng() % 40));
        rows.column(3).AppendString(countries[rng() % 4]);
        rows.column(4).AppendInt64(static_cast<int64_t>(rng() % 10) - 2);
        rows.column(5).AppendInt64(static_cast<int64_t>(rng() % 1000));
        rows.column(6).AppendString(std::string(1, 'a' + rng() % 26));
        rows.column(7).AppendInt64(static_cast<int64_t>(rng() % 100));
      }
      UpdateBatch batch;
      ASSERT_TRUE(batch.AddRows(*table_, rows).ok());
      auto v = db_->Commit(batch);
      ASSERT_TRUE(v.ok()) << v.status();
      model_.AddBatch(*v, std::move(rows));
    }
    reader_ = *db_->NewReader();
  }

  // Scans `spec` in full and compares with the model.
  ::testing::AssertionResult Check(const ScanSpec& spec,
                                   ScanExplain* explain = nullptr) {
    auto scan = reader_->Scan("ads", spec);
    if (!scan.ok()) {
      return ::testing::AssertionFailure() << scan.status();
    }
    const auto cols = QueryColumns(model_.schema, spec);
    RowBatch got(testing::TypesOf(cols));
    while ((*scan)->Next()) {
      got.AppendRows((*scan)->batch(), 0, (*scan)->batch().num_rows());
    }
    if (!(*scan)->status().ok()) {
      return ::testing::AssertionFailure() << (*scan)->status();
    }
    if (explain != nullptr) *explain = (*scan)->Explain();
    return SameRows(cols, got, ModelQuery(model_.schema, model_.At(3), spec));
  }

  std::unique_ptr<FileSystem> fs_;
  std::unique_ptr<Database> db_;
  std::shared_ptr<const Table> table_;
  testing::ModelTable model_;
  std::unique_ptr<VersionedReader> reader_;
};

TEST_F(QueryScanTest, SkipScanOnANonLeadingKeyColumn) {
  ScanSpec spec;
  spec.filters = {{"date", FilterOp::kEq, {int32_t{20015}}}};
  ScanExplain seek, full;
  ASSERT_TRUE(Check(spec, &seek));
  spec.allow_skip_scan = false;
  ASSERT_TRUE(Check(spec, &full));
  EXPECT_TRUE(seek.skip_scan) << seek.ToString();
  EXPECT_GT(seek.seeks, 0u);
  EXPECT_FALSE(full.skip_scan);
  EXPECT_EQ(full.seeks, 0u);
  EXPECT_LT(seek.rows_decoded, full.rows_decoded) << seek.ToString()
                                                  << full.ToString();
  EXPECT_GT(seek.rows_never_decoded, seek.rows_in_deltas / 2)
      << seek.ToString();
  EXPECT_EQ(seek.rows_returned, full.rows_returned);
  EXPECT_EQ(seek.deltas.size(), 3u);
}

TEST_F(QueryScanTest, FiltersOfEveryKind) {
  const std::vector<std::vector<Filter>> cases = {
      {{"adv", FilterOp::kIn, {int64_t{2}, int64_t{5}}},
       {"date", FilterOp::kGe, {int32_t{20010}}},
       {"date", FilterOp::kLt, {int32_t{20020}}}},
      {{"country", FilterOp::kNe, {"US"}}, {"pub", FilterOp::kLe, {int64_t{3}}}},
      {{"pub", FilterOp::kGt, {int64_t{38}}}},
      {{"country", FilterOp::kIn, {"JP", "BR", "XX"}}},
      {{"adv", FilterOp::kEq, {int64_t{3}}}, {"adv", FilterOp::kEq, {int64_t{4}}}},
      {{"clicks", FilterOp::kGt, {int64_t{20}}}},
      {{"best", FilterOp::kEq, {"z"}}, {"date", FilterOp::kEq, {int32_t{20001}}}},
  };
  for (const auto& filters : cases) {
    ScanSpec spec;
    spec.filters = filters;
    spec.batch_rows = 100;
    EXPECT_TRUE(Check(spec)) << filters.size() << " filters on "
                             << filters[0].column;
  }
}

TEST_F(QueryScanTest, ValueFiltersSeeTheMergedValues) {
  // One key in three deltas: 3 + 4 + 5 clicks.
  UpdateBatch b1, b2, b3;
  auto row = [&](int64_t clicks) {
    return std::vector<Value>{int64_t{100}, int32_t{20000}, int64_t{1}, "US",
                              clicks, int64_t{0}, "a", int64_t{0}};
  };
  ASSERT_TRUE(b1.AddRow(*table_, row(3)).ok());
  ASSERT_TRUE(b2.AddRow(*table_, row(4)).ok());
  ASSERT_TRUE(b3.AddRow(*table_, row(5)).ok());
  for (UpdateBatch* b : {&b1, &b2, &b3}) ASSERT_TRUE(db_->Commit(*b).ok());
  auto reader = *db_->NewReader();
  for (int64_t clicks : {3, 4, 5, 7, 12}) {
    ScanSpec spec;
    spec.filters = {{"adv", FilterOp::kEq, {int64_t{100}}},
                    {"clicks", FilterOp::kEq, {clicks}}};
    auto scan = *reader->Scan("ads", spec);
    size_t rows = 0;
    while (scan->Next()) rows += scan->batch().num_rows();
    EXPECT_EQ(rows, clicks == 12 ? 1u : 0u) << clicks;
    // Only the three small deltas can hold advertiser 100.
    const ScanExplain e = scan->Explain();
    size_t pruned = 0;
    for (const DeltaExplain& d : e.deltas) pruned += d.skipped;
    EXPECT_EQ(pruned, 3u) << e.ToString();
  }
}

TEST_F(QueryScanTest, GroupByPrefixStreamsAndAnySubsetHashes) {
  const std::vector<std::vector<std::string>> groups = {
      {"adv"}, {"adv", "date"}, {"date", "adv"}, {"country"},
      {"adv", "country"}, {"pub", "date"}, {"adv", "date", "pub", "country"}};
  for (const auto& g : groups) {
    ScanSpec spec;
    spec.group_by = g;
    spec.columns = {"clicks", "cost", "best"};
    for (const std::string& c : g) spec.columns.push_back(c);
    ScanExplain e;
    ASSERT_TRUE(Check(spec, &e)) << g[0] << " +" << g.size() - 1;
    const std::vector<std::string> key_order = {"adv", "date", "pub",
                                                "country"};
    bool prefix = true;
    for (const std::string& c : g) {
      prefix = prefix && std::find(key_order.begin(),
                                   key_order.begin() + g.size(),
                                   c) != key_order.begin() + g.size();
    }
    EXPECT_EQ(e.group_by, prefix ? "streaming" : "hash") << e.ToString();
    spec.filters = {{"date", FilterOp::kEq, {int32_t{20003}}}};
    spec.batch_rows = 3;
    ASSERT_TRUE(Check(spec)) << "filtered";
  }
  ScanSpec all;  // REPLACE over every key is the row's own value
  all.group_by = {"country", "pub", "date", "adv"};
  ASSERT_TRUE(Check(all));
}

// A GROUP BY that takes every row and whose values are integer SUM or
// MIN/MAX groups the deltas' rows without merging their keys (three deltas
// here: every row of every delta reaches the groups), reading only the
// group and value columns; over one delta (after CompactNow) likewise.
// Also resumed every 2 groups. A filter on a value still merges first.
TEST_F(QueryScanTest, GroupBysWithoutAKeyMergeMatchTheModel) {
  const std::vector<std::vector<std::string>> groups = {
      {"adv", "country"}, {"adv", "date"}, {"date"}, {"country", "pub"}};
  auto run = [&](const char* when, bool several) {
    for (const auto& g : groups) {
      ScanSpec spec;
      spec.group_by = g;
      spec.columns = {"clicks", "cost", "best"};
      ScanExplain e;
      ASSERT_TRUE(Check(spec, &e)) << when << " " << g[0];
      EXPECT_EQ(e.rows_merged, e.rows_in_deltas) << when << " " << e.ToString();
      // Resumed every 2 groups.
      spec.batch_rows = 2;
      auto scan = reader_->Scan("ads", spec);
      ASSERT_TRUE(scan.ok()) << scan.status();
      uint64_t groups_seen = 0;
      while ((*scan)->Next()) {
        groups_seen += (*scan)->batch().num_rows();
        auto token = (*scan)->ResumeToken();
        ASSERT_TRUE(token.ok()) << token.status();
        spec.resume_token = *token;
        scan = reader_->Scan("ads", spec);
        ASSERT_TRUE(scan.ok()) << scan.status();
      }
      ASSERT_TRUE((*scan)->status().ok()) << (*scan)->status();
      EXPECT_EQ(groups_seen, e.rows_returned) << when << " " << g[0];
      // A filter on a value sees the merged values: the keys are merged.
      ScanSpec filtered;
      filtered.group_by = g;
      filtered.columns = {"clicks"};
      filtered.filters = {{"cost", FilterOp::kGe, {int64_t{500}}}};
      ASSERT_TRUE(Check(filtered, &e)) << when << " filtered " << g[0];
      if (several) {
        EXPECT_LT(e.rows_merged, e.rows_in_deltas) << when << " " << e.ToString();
      }
    }
  };
  ASSERT_NO_FATAL_FAILURE(run("three deltas", true));
  ASSERT_TRUE(db_->CompactNow().ok());
  reader_ = *db_->NewReader();
  ASSERT_NO_FATAL_FAILURE(run("one delta", false));
}

// A damaged delta under an unmerged GROUP BY is a DATA_LOSS naming it.
TEST_F(QueryScanTest, GroupByWithoutAKeyMergeReportsADamagedDelta) {
  auto names = fs_->GetChildren("/db");
  ASSERT_TRUE(names.ok());
  std::string victim;
  for (const std::string& n : *names) {
    if (n.find(".delta") != std::string::npos) victim = n;
  }
  ASSERT_FALSE(victim.empty());
  const std::string path = "/db/" + victim;
  auto data = ReadFileToString(fs_.get(), path);
  ASSERT_TRUE(data.ok());
  std::string bad = *data;
  bad[bad.size() / 4] ^= 0x01;
  {
    auto f = fs_->NewWritableFile(path);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Append(bad).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  reader_.reset();
  db_.reset();
  Options o;
  o.fs = fs_.get();
  o.background_threads = 0;
  db_ = *Database::Open(o, "/db");
  reader_ = *db_->NewReader();
  ScanSpec spec;
  spec.group_by = {"adv", "country"};
  spec.columns = {"clicks", "cost"};
  auto scan = reader_->Scan("ads", spec);
  absl::Status status = scan.status();
  if (scan.ok()) {
    while ((*scan)->Next()) {
    }
    status = (*scan)->status();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_NE(testing::Message(status).find(victim), std::string::npos)
      << status;
}

TEST_F(QueryScanTest, ResumeTokensContinueExactly) {
  for (bool grouped : {false, true}) {
    for (bool hash : {false, true}) {
      ScanSpec spec;
      spec.filters = {{"date", FilterOp::kLe, {int32_t{20004}}}};
      if (grouped) {
        spec.group_by = hash ? std::vector<std::string>{"adv", "country"}
                             : std::vector<std::string>{"adv", "date"};
        spec.columns = {"adv", "clicks"};
      } else if (hash) {
        continue;
      }
      spec.batch_rows = grouped ? 7 : 37;
      const auto cols = QueryColumns(model_.schema, spec);
      RowBatch got(testing::TypesOf(cols));
      std::string token;
      int hops = 0;
      while (true) {
        ScanSpec s = spec;
        s.resume_token = token;
        auto reader = *db_->NewReader(3);
        auto scan = *reader->Scan("ads", s);
        if (!scan->Next()) {
          ASSERT_TRUE(scan->status().ok()) << scan->status();
          break;
        }
        got.AppendRows(scan->batch(), 0, scan->batch().num_rows());
        token = *scan->ResumeToken();
        ++hops;
      }
      EXPECT_GT(hops, 2);
      EXPECT_TRUE(SameRows(cols, got, ModelQuery(model_.schema, model_.At(3),
                                                 spec)))
          << grouped << hash;
    }
  }
}

TEST_F(QueryScanTest, BadTokensAreInvalidArgument) {
  ScanSpec spec;
  spec.batch_rows = 10;
  auto scan = *reader_->Scan("ads", spec);
  ASSERT_TRUE(scan->Next());
  const std::string token = *scan->ResumeToken();
  auto fails = [&](const VersionedReader& r, std::string_view table,
                   ScanSpec s, std::string_view what) {
    auto got = r.Scan(table, s);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument)
        << got.status();
    EXPECT_NE(testing::Message(got.status()).find(what), std::string::npos)
        << got.status();
  };
  ScanSpec other = spec;
  other.resume_token = token;
  other.filters = {{"adv", FilterOp::kEq, {int64_t{1}}}};
  fails(*reader_, "ads", other, "different spec");
  ScanSpec corrupt = spec;
  corrupt.resume_token = token;
  corrupt.resume_token[5] = corrupt.resume_token[5] == 'A' ? 'B' : 'A';
  fails(*reader_, "ads", corrupt, "resume token is not valid");
  corrupt.resume_token = "!!";
  fails(*reader_, "ads", corrupt, "base64");
  ScanSpec same = spec;
  same.resume_token = token;
  auto old = *db_->NewReader(2);
  fails(*old, "ads", same, "version 3");
  ASSERT_TRUE(db_->CreateTable("other", AdsLike()).ok());
  auto latest = *db_->NewReader();
  fails(*latest, "other", same, "table 'ads'");
}

TEST_F(QueryScanTest, BadQueriesAreInvalidArgument) {
  auto fails = [&](ScanSpec spec, std::string_view what) {
    auto got = reader_->Scan("ads", spec);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument)
        << got.status();
    EXPECT_NE(testing::Message(got.status()).find(what), std::string::npos)
        << got.status();
  };
  ScanSpec s;
  s.filters = {{"nope", FilterOp::kEq, {int64_t{1}}}};
  fails(s, "no column 'nope'");
  s.filters = {{"date", FilterOp::kEq, {"x"}}};
  fails(s, "column 'date'");
  s.filters = {{"country", FilterOp::kIn, {"US", int64_t{1}}}};
  fails(s, "column 'country'");
  s.filters = {{"adv", FilterOp::kIn, {}}};
  fails(s, "one or more");
  s.filters = {{"adv", FilterOp::kLt, {int64_t{1}, int64_t{2}}}};
  fails(s, "exactly one");
  s.filters = {{"date", FilterOp::kEq, {int64_t{1} << 40}}};
  fails(s, "out of range");
  s = {};
  s.group_by = {"clicks"};
  fails(s, "value column");
  s.group_by = {"nope"};
  fails(s, "no column 'nope'");
  s.group_by = {"adv", "adv"};
  fails(s, "twice");
  s.group_by = {"adv"};
  fails(s, "REPLACE");  // every value column by default, 'last' included
  s.columns = {"adv", "date"};
  fails(s, "neither grouped by");
  s.columns = {"adv", "clicks"};
  EXPECT_TRUE(Check(s));
}

TEST_F(QueryScanTest, GroupBysReadTheSmallestCoveringRollup) {
  TableOptions topts;
  topts.delta_file.block_size = 512;
  topts.rollups = {{"by_adv_country", {"adv", "country"}, {"clicks", "cost"}},
                   {"by_adv", {"adv"}, {"clicks"}},
                   {"by_country_adv", {"country", "adv"}, {}},
                   {"by_adv_date", {"adv", "date"}, {"clicks", "best"}}};
  Schema schema = AdsLike();
  // No REPLACE column: a rollup cannot hold one.
  std::vector<ColumnSpec> keys(schema.columns().begin(),
                               schema.columns().begin() + 4);
  std::vector<ColumnSpec> values(schema.columns().begin() + 4,
                                 schema.columns().begin() + 7);
  schema = *Schema::Create(keys, values);
  auto table = db_->CreateTable("r", schema, topts);
  ASSERT_TRUE(table.ok()) << table.status();
  testing::ModelTable model;
  model.schema = schema;
  std::mt19937_64 rng(11);
  for (int b = 0; b < 3; ++b) {
    RowBatch rows(schema);
    for (int i = 0; i < 500; ++i) {
      rows.column(0).AppendInt64(static_cast<int64_t>(rng() % 9));
      rows.column(1).AppendInt32(20000 + static_cast<int32_t>(rng() % 5));
      rows.column(2).AppendInt64(static_cast<int64_t>(rng() % 7));
      rows.column(3).AppendString(rng() % 2 ? "US" : "FR");
      rows.column(4).AppendInt64(static_cast<int64_t>(rng() % 10));
      rows.column(5).AppendInt64(static_cast<int64_t>(rng() % 100) - 50);
      rows.column(6).AppendString(std::string(1, 'a' + rng() % 26));
    }
    UpdateBatch batch;
    ASSERT_TRUE(batch.AddRows(**table, rows).ok());
    auto v = db_->Commit(batch);
    ASSERT_TRUE(v.ok()) << v.status();
    model.AddBatch(*v, std::move(rows));
  }
  auto reader = *db_->NewReader();
  const uint64_t v = reader->version();
  struct Case {
    ScanSpec spec;
    std::string source;
  };
  auto spec = [](std::vector<std::string> g, std::vector<std::string> cols,
                 std::vector<Filter> f = {}) {
    ScanSpec s;
    s.group_by = std::move(g);
    s.columns = std::move(cols);
    s.filters = std::move(f);
    s.batch_rows = 4;
    return s;
  };
  ScanSpec prefixed = spec({"adv"}, {"adv", "clicks"});
  prefixed.key_prefix = {int64_t{3}};
  const std::vector<Case> cases = {
      {spec({"adv"}, {"adv", "clicks"}), "by_adv"},
      {spec({"adv", "country"}, {"cost", "adv"}), "by_adv_country"},
      {spec({"country"}, {"country", "clicks"}), "by_adv_country"},
      {spec({"country"}, {"country", "cost"}), "by_adv_country"},
      {spec({"adv", "date"}, {"best"},
            {{"date", FilterOp::kIn, {int32_t{20001}, int32_t{20003}}}}),
       "by_adv_date"},
      {spec({"adv"}, {"clicks"}, {{"clicks", FilterOp::kGt, {int64_t{3}}}}),
       "r"},                                            // value filter
      {spec({"adv", "pub"}, {"clicks"}), "r"},          // pub not rolled up
      {spec({"country", "adv"}, {"best"}), "r"},        // best: by_adv_date
      {prefixed, "by_adv"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    const auto cols = QueryColumns(schema, c.spec);
    for (bool use : {true, false}) {
      ScanSpec s = c.spec;
      s.use_rollups = use;
      auto scan = reader->Scan("r", s);
      ASSERT_TRUE(scan.ok()) << scan.status();
      RowBatch got(testing::TypesOf(cols));
      while ((*scan)->Next()) {
        got.AppendRows((*scan)->batch(), 0, (*scan)->batch().num_rows());
      }
      ASSERT_TRUE((*scan)->status().ok()) << (*scan)->status();
      ScanSpec model_spec = c.spec;
      if (!model_spec.key_prefix.empty()) {
        model_spec.key_prefix.clear();
        model_spec.filters.push_back({"adv", FilterOp::kEq, {int64_t{3}}});
      }
      EXPECT_TRUE(SameRows(cols, got, ModelQuery(schema, model.At(v),
                                                 model_spec)));
      const ScanExplain e = (*scan)->Explain();
      EXPECT_EQ(e.table, "r");
      EXPECT_EQ(e.source, use ? c.source : "r") << e.ToString();
      EXPECT_EQ(e.from_rollup, use && c.source != "r");
    }
  }
  // A token from a scan of the rollup resumes a scan of the table, and
  // the other way around.
  ScanSpec s = spec({"adv", "country"}, {"adv", "country", "clicks"});
  const auto cols = QueryColumns(schema, s);
  RowBatch got(testing::TypesOf(cols));
  std::string token;
  for (int hop = 0;; ++hop) {
    ScanSpec h = s;
    h.use_rollups = hop % 2 == 0;
    h.resume_token = token;
    auto scan = *reader->Scan("r", h);
    if (!scan->Next()) break;
    got.AppendRows(scan->batch(), 0, scan->batch().num_rows());
    token = *scan->ResumeToken();
  }
  EXPECT_TRUE(SameRows(cols, got, ModelQuery(schema, model.At(v), s)));
}

}  // namespace
}  // namespace mesa
