// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The Mesa paper's figures 1 and 2 (shared/paper_example.md): tables A and
// B, two update batches, the answers at each version, through reopen and
// compaction.

#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

// Dates as days since 1970-01-01.
constexpr int32_t k20131231 = 16070;
constexpr int32_t k20140101 = 16071;

Schema SchemaA() {
  return *Schema::Create({{"Date", ColumnType::kInt32, Aggregation::kNone},
                          {"PublisherId", ColumnType::kInt64, Aggregation::kNone},
                          {"Country", ColumnType::kString, Aggregation::kNone}},
                         {{"Clicks", ColumnType::kInt64, Aggregation::kSum},
                          {"Cost", ColumnType::kInt64, Aggregation::kSum}});
}
Schema SchemaB() {
  return *Schema::Create({{"Date", ColumnType::kInt32, Aggregation::kNone},
                          {"AdvertiserId", ColumnType::kInt64, Aggregation::kNone},
                          {"Country", ColumnType::kString, Aggregation::kNone}},
                         {{"Clicks", ColumnType::kInt64, Aggregation::kSum},
                          {"Cost", ColumnType::kInt64, Aggregation::kSum}});
}

struct Row {
  int32_t date;
  int64_t id;
  std::string country;
  int64_t clicks, cost;
  bool operator==(const Row&) const = default;
};

std::vector<Row> ScanAll(const VersionedReader& reader, std::string_view t) {
  auto scan = reader.Scan(t, {});
  EXPECT_TRUE(scan.ok()) << scan.status();
  std::vector<Row> rows;
  RowCursor cursor(std::move(*scan));
  while (cursor.Next()) {
    rows.push_back({static_cast<int32_t>(cursor.GetInt64(0)),
                    cursor.GetInt64(1), std::string(cursor.GetString(2)),
                    cursor.GetInt64(3), cursor.GetInt64(4)});
  }
  EXPECT_TRUE(cursor.status().ok()) << cursor.status();
  return rows;
}

void CommitPaperUpdates(Database* db, const Table& a, const Table& b) {
  UpdateBatch v0;
  ASSERT_TRUE(v0.AddRow(a, {k20131231, int64_t{100}, "US", int64_t{10}, int64_t{32}}).ok());
  ASSERT_TRUE(v0.AddRow(a, {k20140101, int64_t{100}, "US", int64_t{150}, int64_t{80}}).ok());
  ASSERT_TRUE(v0.AddRow(a, {k20140101, int64_t{200}, "UK", int64_t{40}, int64_t{20}}).ok());
  ASSERT_TRUE(v0.AddRow(b, {k20131231, int64_t{1}, "US", int64_t{10}, int64_t{32}}).ok());
  ASSERT_TRUE(v0.AddRow(b, {k20140101, int64_t{2}, "UK", int64_t{40}, int64_t{20}}).ok());
  ASSERT_TRUE(v0.AddRow(b, {k20140101, int64_t{2}, "US", int64_t{150}, int64_t{80}}).ok());
  auto version = db->Commit(v0);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 1u);

  UpdateBatch v1;
  ASSERT_TRUE(v1.AddRow(a, {k20140101, int64_t{100}, "US", int64_t{55}, int64_t{23}}).ok());
  ASSERT_TRUE(v1.AddRow(a, {k20140101, int64_t{200}, "UK", int64_t{60}, int64_t{30}}).ok());
  ASSERT_TRUE(v1.AddRow(b, {k20140101, int64_t{1}, "US", int64_t{5}, int64_t{3}}).ok());
  ASSERT_TRUE(v1.AddRow(b, {k20140101, int64_t{2}, "UK", int64_t{60}, int64_t{30}}).ok());
  ASSERT_TRUE(v1.AddRow(b, {k20140101, int64_t{2}, "US", int64_t{50}, int64_t{20}}).ok());
  version = db->Commit(v1);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, 2u);
}

const std::vector<Row> kAAfter1 = {{k20131231, 100, "US", 10, 32},
                                   {k20140101, 100, "US", 205, 103},
                                   {k20140101, 200, "UK", 100, 50}};
const std::vector<Row> kBAfter1 = {{k20131231, 1, "US", 10, 32},
                                   {k20140101, 1, "US", 5, 3},
                                   {k20140101, 2, "UK", 100, 50},
                                   {k20140101, 2, "US", 200, 100}};
const std::vector<Row> kBAfter0 = {{k20131231, 1, "US", 10, 32},
                                   {k20140101, 2, "UK", 40, 20},
                                   {k20140101, 2, "US", 150, 80}};

TEST(PaperExampleTest, Figure1AnswersAtBothVersionsThroughReopenAndCompaction) {
  std::string dir = testing::NewTempDir("paper");
  Options options;
  options.background_threads = 0;
  {
    auto db = Database::Open(options, dir);
    ASSERT_TRUE(db.ok()) << db.status();
    auto a = (*db)->CreateTable("A", SchemaA());
    auto b = (*db)->CreateTable("B", SchemaB());
    ASSERT_TRUE(a.ok() && b.ok());
    CommitPaperUpdates(db->get(), **a, **b);
    auto latest = (*db)->NewReader();
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(ScanAll(**latest, "A"), kAAfter1);
    EXPECT_EQ(ScanAll(**latest, "B"), kBAfter1);
    auto v1 = (*db)->NewReader(1);
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(ScanAll(**v1, "B"), kBAfter0);
  }
  auto db = Database::Open(options, dir);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->LatestVersion(), 2u);
  auto before = (*db)->Checksum("B", 2);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE((*db)->CompactNow().ok());
  auto latest = (*db)->NewReader();
  EXPECT_EQ(ScanAll(**latest, "A"), kAAfter1);
  EXPECT_EQ(ScanAll(**latest, "B"), kBAfter1);
  EXPECT_EQ(*(*db)->Checksum("B", 2), *before);

  // Point gets and a prefix scan.
  auto got = (*latest)->Get("B", {k20140101, int64_t{2}, "US"});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->column(3).GetInt64(0), 200);
  auto missing = (*latest)->Get("B", {k20140101, int64_t{3}, "US"});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ScanSpec spec;
  spec.key_prefix = {k20140101};
  spec.lower = int64_t{2};
  spec.columns = {"Country", "Cost"};
  auto scan = (*latest)->Scan("B", spec);
  ASSERT_TRUE(scan.ok()) << scan.status();
  RowCursor cursor(std::move(*scan));
  std::vector<std::pair<std::string, int64_t>> seen;
  while (cursor.Next()) {
    seen.emplace_back(cursor.GetString(0), cursor.GetInt64(1));
  }
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int64_t>>{
                      {"UK", 50}, {"US", 100}}));
}

TEST(PaperExampleTest, BadInputGetsClearErrors) {
  std::string dir = testing::NewTempDir("paper_bad");
  Options options;
  options.background_threads = 0;
  auto db = *Database::Open(options, dir);
  auto a = *db->CreateTable("A", SchemaA());
  EXPECT_EQ(db->CreateTable("A", SchemaA()).status().code(),
            absl::StatusCode::kAlreadyExists);
  UpdateBatch batch;
  absl::Status s = batch.AddRow(*a, {k20140101, int64_t{1}, int64_t{5},
                                     int64_t{1}, int64_t{1}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("'Country'"), std::string::npos) << s;
  EXPECT_NE(s.ToString().find("table 'A' row 0"), std::string::npos) << s;
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_EQ(db->NewReader(5).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto reader = *db->NewReader();
  EXPECT_EQ(reader->Scan("nope", {}).status().code(),
            absl::StatusCode::kNotFound);
  ScanSpec bad;
  bad.columns = {"NoSuchColumn"};
  EXPECT_EQ(reader->Scan("A", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(db->DropTable("A").ok());
  UpdateBatch late;
  ASSERT_TRUE(late.AddRow(*a, {k20140101, int64_t{1}, "US", int64_t{1},
                               int64_t{1}})
                  .ok());
  EXPECT_EQ(db->Commit(late).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace mesa
