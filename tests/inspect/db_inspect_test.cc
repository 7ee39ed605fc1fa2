// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect ls / versions / verify on a database directory.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "mesa/database.h"
#include "src/inspect/inspect.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

int Inspect(const std::vector<std::string>& args, std::string* out) {
  std::ostringstream o, e;
  int code = internal::RunInspect(args, o, e);
  *out = o.str() + e.str();
  return code;
}

std::string MakeDatabase() {
  std::string dir = testing::NewTempDir("db_inspect");
  Options options;
  options.background_threads = 0;
  options.cumulative_threshold = 2;
  auto db = *Database::Open(options, dir);
  auto schema = *Schema::Create({{"k", ColumnType::kInt64, Aggregation::kNone}},
                                {{"v", ColumnType::kInt64, Aggregation::kSum}});
  auto table = *db->CreateTable("events", schema);
  for (int64_t version = 1; version <= 4; ++version) {
    UpdateBatch batch;
    for (int64_t k = 0; k < 100; ++k) {
      EXPECT_TRUE(batch.AddRow(*table, {k * version, int64_t{1}}).ok());
    }
    EXPECT_TRUE(db->Commit(batch).ok());
  }
  EXPECT_TRUE(db->CompactNow().ok());
  return dir;
}

TEST(DbInspectTest, ListsVersionsAndVerifies) {
  std::string dir = MakeDatabase();
  std::string out;
  ASSERT_EQ(Inspect({"ls", dir}, &out), 0) << out;
  EXPECT_NE(out.find("table 'events'"), std::string::npos) << out;
  EXPECT_NE(out.find("latest version 4"), std::string::npos) << out;
  EXPECT_NE(out.find("[1,4]"), std::string::npos) << out;  // the cumulative
  ASSERT_EQ(Inspect({"versions", dir}, &out), 0) << out;
  EXPECT_NE(out.find("commit v4"), std::string::npos) << out;
  EXPECT_NE(out.find("create table"), std::string::npos) << out;
  // Each commit with its time (this century's, by the system clock).
  EXPECT_NE(out.find("committed 20"), std::string::npos) << out;
  ASSERT_EQ(Inspect({"versions", dir, "--json"}, &out), 0) << out;
  EXPECT_NE(out.find("\"committed_unix_micros\": 1"), std::string::npos)
      << out;
  ASSERT_EQ(Inspect({"verify", dir}, &out), 0) << out;
  EXPECT_NE(out.find("OK"), std::string::npos) << out;
  ASSERT_EQ(Inspect({"ls", dir, "--json"}, &out), 0) << out;
  EXPECT_EQ(out.front(), '{');
  EXPECT_NE(out.find("\"latest_version\": 4"), std::string::npos) << out;
  // ls on a file, dump on a directory: usage errors.
  EXPECT_EQ(Inspect({"dump", dir}, &out), 2);
}

TEST(DbInspectTest, ListsAndVerifiesRollups) {
  std::string dir = MakeDatabase();
  {
    Options options;
    options.background_threads = 0;
    auto db = *Database::Open(options, dir);
    auto schema = *Schema::Create(
        {{"day", ColumnType::kInt32}, {"k", ColumnType::kInt64}},
        {{"v", ColumnType::kInt64, Aggregation::kSum}});
    TableOptions with_rollup;
    with_rollup.rollups = {{"by_day", {"day"}, {}}};
    auto t = *db->CreateTable("daily", schema, with_rollup);
    for (int32_t day = 0; day < 3; ++day) {
      UpdateBatch batch;
      EXPECT_TRUE(batch.AddRow(*t, {day, int64_t{day}, int64_t{1}}).ok());
      EXPECT_TRUE(db->Commit(batch).ok());
    }
    // Added, then left un-back-filled: verify must not ask it for versions
    // it does not answer.
    EXPECT_TRUE(db->AddRollup("daily", {"by_k", {"k"}, {}}).ok());
    UpdateBatch batch;
    EXPECT_TRUE(batch.AddRow(*t, {int32_t{9}, int64_t{9}, int64_t{1}}).ok());
    EXPECT_TRUE(db->Commit(batch).ok());
  }
  std::string out;
  ASSERT_EQ(Inspect({"ls", dir}, &out), 0) << out;
  EXPECT_NE(out.find("rollup of 'daily' (ready from version 4) 'by_day'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("rollup of 'daily' (being back-filled) 'by_k'"),
            std::string::npos)
      << out;
  ASSERT_EQ(Inspect({"verify", dir}, &out), 0) << out;
  ASSERT_EQ(Inspect({"ls", dir, "--json"}, &out), 0) << out;
  EXPECT_NE(out.find("\"ready_version\": null"), std::string::npos) << out;
}

TEST(DbInspectTest, VerifyFindsDamagedAndMissingDeltas) {
  std::string dir = MakeDatabase();
  std::vector<std::string> deltas;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".delta") deltas.push_back(e.path().string());
  }
  ASSERT_GE(deltas.size(), 2u);
  {
    std::fstream f(deltas[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('\x5a');
  }
  std::string out;
  EXPECT_EQ(Inspect({"verify", dir}, &out), 1) << out;
  EXPECT_NE(out.find("PROBLEM"), std::string::npos) << out;
  std::filesystem::remove(deltas[1]);
  EXPECT_EQ(Inspect({"verify", dir, "--json"}, &out), 1) << out;
  EXPECT_NE(out.find("\"ok\": false"), std::string::npos) << out;
  // A directory without a manifest.
  std::string empty = testing::NewTempDir("db_inspect_empty");
  EXPECT_EQ(Inspect({"ls", empty}, &out), 1) << out;
  EXPECT_NE(out.find("CURRENT"), std::string::npos) << out;
}

}  // namespace
}  // namespace mesa
