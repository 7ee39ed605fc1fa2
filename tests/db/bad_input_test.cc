// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Every misuse of the Database API gets a clear status that names what was
// wrong (table, column, row, field, file, version), and leaves the
// database as it was.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/database.h"
#include "mesa/file_system.h"
#include "tests/db/db_test_util.h"

namespace mesa {
namespace {

using testing::Message;
using testing::ScanAll;

// `s` has code `code` and its message contains every one of `parts`.
::testing::AssertionResult Fails(const absl::Status& s, absl::StatusCode code,
                                 std::vector<std::string> parts) {
  if (s.code() != code) {
    return ::testing::AssertionFailure()
           << "code " << absl::StatusCodeToString(s.code()) << ", want "
           << absl::StatusCodeToString(code) << ": " << s;
  }
  for (const std::string& p : parts) {
    if (Message(s).find(p) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "message lacks \"" << p << "\": " << s;
    }
  }
  return ::testing::AssertionSuccess();
}

Schema Facts() {
  return Schema::Create({{"country", ColumnType::kString},
                         {"day", ColumnType::kInt32}},
                        {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                         {"n", ColumnType::kUint64, Aggregation::kSum},
                         {"cost", ColumnType::kDouble, Aggregation::kSum},
                         {"label", ColumnType::kString, Aggregation::kReplace}})
      .value();
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = NewMemFileSystem();
    options_.fs = fs_.get();
    options_.background_threads = 0;
    auto db = Database::Open(options_, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto t = db_->CreateTable("facts", Facts());
    ASSERT_TRUE(t.ok()) << t.status();
    facts_ = *t;
  }

  // Commits `n` good rows to facts.
  void CommitRows(int n, int64_t clicks = 1) {
    UpdateBatch batch;
    for (int i = 0; i < n; ++i) {
      DB_ASSERT_OK(batch.AddRow(*facts_, {"US", int32_t{i}, clicks,
                                          uint64_t{1}, 0.5, "x"}));
    }
    auto v = db_->Commit(batch);
    ASSERT_TRUE(v.ok()) << v.status();
  }

  std::unique_ptr<FileSystem> fs_;
  Options options_;
  std::unique_ptr<Database> db_;
  std::shared_ptr<const Table> facts_;
};

TEST(BadSchemaTest, EveryInvalidSchemaNamesTheColumn) {
  using A = Aggregation;
  using T = ColumnType;
  EXPECT_TRUE(Fails(Schema::Create({}, {{"v", T::kInt64, A::kSum}}).status(),
                    absl::StatusCode::kInvalidArgument, {"no key column"}));
  EXPECT_TRUE(Fails(Schema::Create({{"", T::kInt64}}, {}).status(),
                    absl::StatusCode::kInvalidArgument, {"empty name"}));
  EXPECT_TRUE(Fails(Schema::Create({{std::string(256, 'n'), T::kInt64}}, {})
                        .status(),
                    absl::StatusCode::kInvalidArgument, {"256 bytes"}));
  EXPECT_TRUE(Fails(Schema::Create({{"k", T::kInt64}},
                                   {{"k", T::kInt64, A::kSum}})
                        .status(),
                    absl::StatusCode::kInvalidArgument, {"'k'", "twice"}));
  EXPECT_TRUE(Fails(Schema::Create({{"k", T::kInt64, A::kMax}}, {}).status(),
                    absl::StatusCode::kInvalidArgument, {"key column 'k'"}));
  EXPECT_TRUE(Fails(Schema::Create({{"k", T::kInt64}},
                                   {{"v", T::kInt64, A::kNone}})
                        .status(),
                    absl::StatusCode::kInvalidArgument,
                    {"value column 'v'", "aggregation"}));
  EXPECT_TRUE(Fails(Schema::Create({{"k", T::kInt64}},
                                   {{"s", T::kString, A::kSum}})
                        .status(),
                    absl::StatusCode::kInvalidArgument, {"'s'", "SUM"}));
  EXPECT_TRUE(Fails(Schema::Create({{"k", static_cast<T>(9)}}, {}).status(),
                    absl::StatusCode::kInvalidArgument, {"'k'", "type"}));
  std::vector<ColumnSpec> many;
  for (size_t i = 0; i < Schema::kMaxColumns; ++i) {
    many.push_back({fmt::format("v{}", i), T::kInt64, A::kSum});
  }
  EXPECT_TRUE(Fails(Schema::Create({{"k", T::kInt64}}, many).status(),
                    absl::StatusCode::kInvalidArgument, {"1025 columns"}));
}

TEST(BadOptionsTest, ValidateNamesTheField) {
  auto check = [](auto mutate, const std::string& field) {
    Options o;
    mutate(o);
    EXPECT_TRUE(Fails(o.Validate(), absl::StatusCode::kInvalidArgument,
                      {field}));
    auto fs = NewMemFileSystem();
    o.fs = fs.get();
    EXPECT_TRUE(Fails(Database::Open(o, "/db").status(),
                      absl::StatusCode::kInvalidArgument, {field}));
    EXPECT_FALSE(fs->FileExists("/db/CURRENT")) << "created despite " << field;
  };
  check([](Options& o) { o.history_versions = 0; }, "history_versions");
  check([](Options& o) { o.cumulative_threshold = 1; }, "cumulative_threshold");
  check([](Options& o) { o.cumulative_threshold = 0; }, "cumulative_threshold");
  check([](Options& o) { o.background_threads = -1; }, "background_threads");
  check([](Options& o) { o.background_threads = 65; }, "background_threads");
  check(
      [](Options& o) {
        o.cumulative_threshold = 8;
        o.max_pending_singletons = 7;
      },
      "max_pending_singletons");
  EXPECT_TRUE(Options().Validate().ok());
}

TEST(BadOptionsTest, OpenNeedsAPathAndAnExistingDatabaseWhenAsked) {
  auto fs = NewMemFileSystem();
  Options o;
  o.fs = fs.get();
  EXPECT_TRUE(Fails(Database::Open(o, "").status(),
                    absl::StatusCode::kInvalidArgument, {"path"}));
  o.create_if_missing = false;
  EXPECT_TRUE(Fails(Database::Open(o, "/missing").status(),
                    absl::StatusCode::kNotFound,
                    {"/missing", "create_if_missing"}));
  EXPECT_FALSE(fs->FileExists("/missing"));
  // A directory that exists but holds no database.
  DB_ASSERT_OK(fs->CreateDir("/empty"));
  EXPECT_TRUE(Fails(Database::Open(o, "/empty").status(),
                    absl::StatusCode::kNotFound, {"/empty", "CURRENT"}));
}

TEST_F(BadInputTest, TableNamesOptionsAndDuplicates) {
  EXPECT_TRUE(Fails(db_->CreateTable("", Facts()).status(),
                    absl::StatusCode::kInvalidArgument, {"table name"}));
  EXPECT_TRUE(Fails(db_->CreateTable(std::string(256, 'x'), Facts()).status(),
                    absl::StatusCode::kInvalidArgument,
                    {"table name", "1 to 255 bytes"}));
  EXPECT_TRUE(db_->CreateTable(std::string(255, 'x'), Facts()).ok());
  EXPECT_TRUE(Fails(db_->CreateTable("noschema", Schema()).status(),
                    absl::StatusCode::kInvalidArgument,
                    {"'noschema'", "schema"}));
  TableOptions bad;
  bad.delta_file.block_size = 1;
  EXPECT_TRUE(Fails(db_->CreateTable("tiny", Facts(), bad).status(),
                    absl::StatusCode::kInvalidArgument,
                    {"'tiny'", "block_size"}));
  bad = TableOptions();
  bad.delta_file.short_key_length = 0;
  EXPECT_TRUE(Fails(db_->CreateTable("short", Facts(), bad).status(),
                    absl::StatusCode::kInvalidArgument,
                    {"'short'", "short_key_length"}));
  bad = TableOptions();
  bad.delta_file.zstd_level = 40;
  EXPECT_TRUE(Fails(db_->CreateTable("zstd", Facts(), bad).status(),
                    absl::StatusCode::kInvalidArgument,
                    {"'zstd'", "zstd_level"}));
  EXPECT_TRUE(Fails(db_->CreateTable("facts", Facts()).status(),
                    absl::StatusCode::kAlreadyExists, {"'facts'"}));
  EXPECT_TRUE(Fails(db_->DropTable("nope"),
                    absl::StatusCode::kNotFound, {"'nope'"}));
  EXPECT_TRUE(Fails(db_->GetTable("nope").status(),
                    absl::StatusCode::kNotFound, {"'nope'"}));
  std::vector<std::string> tables = db_->ListTables();
  EXPECT_EQ(tables, (std::vector<std::string>{"facts", std::string(255, 'x')}));
  EXPECT_EQ(db_->LatestVersion(), 0u);
}

TEST_F(BadInputTest, RowsThatDoNotFitNameTableRowAndColumn) {
  UpdateBatch batch;
  DB_ASSERT_OK(batch.AddRow(*facts_, {"US", 1, int64_t{1}, uint64_t{1}, 1.0,
                                      "a"}));
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  // Wrong value count.
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, int64_t{1}}), kInvalid,
                    {"table 'facts' row 1", "3 values for 6 columns"}));
  // Wrong types.
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {7, 1, int64_t{1}, uint64_t{1},
                                           1.0, "a"}),
                    kInvalid, {"table 'facts' row 1 column 'country'"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, "lots", uint64_t{1}, 1.0,
                                           "a"}),
                    kInvalid, {"column 'clicks'", "string"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1.5, int64_t{1}, uint64_t{1},
                                           1.0, "a"}),
                    kInvalid, {"column 'day'", "double"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, int64_t{1}, uint64_t{1},
                                           1.0, 2.0}),
                    kInvalid, {"column 'label'"}));
  // Out-of-range integers.
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", int64_t{1} << 40, int64_t{1},
                                           uint64_t{1}, 1.0, "a"}),
                    kInvalid, {"column 'day'", "out of range"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, ~uint64_t{0}, uint64_t{1},
                                           1.0, "a"}),
                    kInvalid, {"column 'clicks'", "out of range"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, int64_t{1}, int64_t{-1},
                                           1.0, "a"}),
                    kInvalid, {"column 'n'", "negative"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, int64_t{1}, uint64_t{1},
                                           (int64_t{1} << 53) + 1, "a"}),
                    kInvalid, {"column 'cost'", "not exactly representable"}));
  // A string over the limit.
  const std::string huge(UpdateBatch::kMaxStringSize + 1, 'h');
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {"US", 1, int64_t{1}, uint64_t{1},
                                           1.0, huge}),
                    kInvalid, {"column 'label'", "exceeds the limit"}));
  EXPECT_TRUE(Fails(batch.AddRow(*facts_, {huge, 1, int64_t{1}, uint64_t{1},
                                           1.0, "a"}),
                    kInvalid, {"column 'country'", "exceeds the limit"}));
  // Conversions that lose nothing are fine.
  DB_ASSERT_OK(batch.AddRow(*facts_, {"GB", int64_t{2}, int32_t{-3},
                                      int32_t{3}, int64_t{4}, "b"}));
  // Failed rows left the batch as it was.
  EXPECT_EQ(batch.num_rows(), 2u);
  auto v = db_->Commit(batch);
  ASSERT_TRUE(v.ok()) << v.status();
  auto reader = db_->NewReader();
  ASSERT_TRUE(reader.ok());
  auto rows = ScanAll(**reader, "facts", Facts());
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->num_rows(), 2u);
  EXPECT_EQ(rows->column(0).GetString(0), "GB");
  EXPECT_EQ(rows->column(2).GetInt64(0), -3);
  EXPECT_EQ(rows->column(4).GetDouble(0), 4.0);
}

TEST_F(BadInputTest, BulkRowsThatDoNotFit) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  UpdateBatch batch;
  RowBatch narrow(std::vector<ColumnType>{ColumnType::kString});
  EXPECT_TRUE(Fails(batch.AddRows(*facts_, narrow), kInvalid,
                    {"table 'facts'", "1 columns for 6"}));
  RowBatch wrong(std::vector<ColumnType>{
      ColumnType::kString, ColumnType::kInt64, ColumnType::kInt64,
      ColumnType::kUint64, ColumnType::kDouble, ColumnType::kString});
  EXPECT_TRUE(Fails(batch.AddRows(*facts_, wrong), kInvalid,
                    {"column 'day'", "int64", "int32"}));
  RowBatch ragged(Facts());
  ragged.column(0).AppendString("US");
  EXPECT_TRUE(Fails(batch.AddRows(*facts_, ragged), kInvalid,
                    {"table 'facts'", "column 'day'"}));
  RowBatch bad_word(Facts());
  bad_word.column(0).AppendString("US");
  bad_word.column(1).AppendWord(uint64_t{1} << 40);  // not an int32
  bad_word.column(2).AppendInt64(1);
  bad_word.column(3).AppendUint64(1);
  bad_word.column(4).AppendDouble(1);
  bad_word.column(5).AppendString("");
  EXPECT_TRUE(Fails(batch.AddRows(*facts_, bad_word), kInvalid,
                    {"row 0 column 'day'", "int32"}));
  EXPECT_EQ(batch.num_rows(), 0u);
}

TEST_F(BadInputTest, CommitsForDroppedOrForeignTables) {
  ASSERT_NO_FATAL_FAILURE(CommitRows(2));
  auto other = db_->CreateTable("other", Facts());
  ASSERT_TRUE(other.ok());
  UpdateBatch batch;
  DB_ASSERT_OK(batch.AddRow(*facts_, {"US", 1, int64_t{1}, uint64_t{1}, 1.0,
                                      "a"}));
  DB_ASSERT_OK(batch.AddRow(**other, {"US", 1, int64_t{1}, uint64_t{1}, 1.0,
                                      "a"}));
  DB_ASSERT_OK(db_->DropTable("other"));
  EXPECT_TRUE(Fails(db_->Commit(batch).status(), absl::StatusCode::kNotFound,
                    {"'other'"}));
  // Nothing of the batch was published.
  EXPECT_EQ(db_->LatestVersion(), 1u);
  // A re-created table of the same name is a new table: old handles fail.
  ASSERT_TRUE(db_->CreateTable("other", Facts()).ok());
  EXPECT_TRUE(Fails(db_->Commit(batch).status(), absl::StatusCode::kNotFound,
                    {"'other'"}));
  EXPECT_EQ(db_->LatestVersion(), 1u);

  // A handle made by hand with the id of a live table but another schema.
  auto wrong_schema = std::make_shared<Table>(
      facts_->id(), "facts",
      Schema::Create({{"k", ColumnType::kInt64}},
                     {{"v", ColumnType::kInt64, Aggregation::kSum}})
          .value(),
      TableOptions());
  UpdateBatch forged;
  DB_ASSERT_OK(forged.AddRow(*wrong_schema, {int64_t{1}, int64_t{2}}));
  EXPECT_TRUE(Fails(db_->Commit(forged).status(),
                    absl::StatusCode::kInvalidArgument, {"'facts'", "schema"}));
  EXPECT_EQ(db_->LatestVersion(), 1u);
  auto reader = db_->NewReader();
  ASSERT_TRUE(reader.ok());
  auto rows = ScanAll(**reader, "facts", Facts());
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->num_rows(), 2u);
}

TEST_F(BadInputTest, BadScansAndGets) {
  ASSERT_NO_FATAL_FAILURE(CommitRows(3));
  auto reader = db_->NewReader();
  ASSERT_TRUE(reader.ok());
  const VersionedReader& r = **reader;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_TRUE(Fails(r.Scan("nope", {}).status(), absl::StatusCode::kNotFound,
                    {"'nope'"}));
  ScanSpec spec;
  spec.key_prefix = {"US", 1, 2};
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"'facts'", "3 values", "2 key columns"}));
  spec.key_prefix = {"US", 1};
  spec.lower = 0;
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"'facts'", "range"}));
  spec = ScanSpec();
  spec.key_prefix = {5};
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"key column 'country'"}));
  spec = ScanSpec();
  spec.key_prefix = {"US"};
  spec.lower = "x";
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"key column 'day'"}));
  spec.lower.reset();
  spec.upper = int64_t{1} << 40;
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"key column 'day'", "out of range"}));
  spec = ScanSpec();
  spec.columns = {"clicks", "nope"};
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"'facts'", "no column 'nope'"}));
  spec = ScanSpec();
  spec.batch_rows = 0;
  EXPECT_TRUE(Fails(r.Scan("facts", spec).status(), kInvalid,
                    {"batch_rows"}));

  EXPECT_TRUE(Fails(r.Get("facts", {"US"}).status(), kInvalid,
                    {"'facts'", "2 key values, got 1"}));
  EXPECT_TRUE(Fails(r.Get("facts", {"US", 1, 2}).status(), kInvalid,
                    {"'facts'", "got 3"}));
  EXPECT_TRUE(Fails(r.Get("facts", {"US", "one"}).status(), kInvalid,
                    {"key column 'day'"}));
  EXPECT_TRUE(Fails(r.Get("nope", {"US", 1}).status(),
                    absl::StatusCode::kNotFound, {"'nope'"}));
  // A missing key is not an error.
  auto miss = r.Get("facts", {"ZZ", 1});
  ASSERT_TRUE(miss.ok()) << miss.status();
  EXPECT_FALSE(miss->has_value());
  auto hit = r.Get("facts", {"US", int64_t{1}});  // int64 fits the int32 key
  ASSERT_TRUE(hit.ok()) << hit.status();
  EXPECT_TRUE(hit->has_value());

  EXPECT_TRUE(Fails(db_->Checksum("nope", 1).status(),
                    absl::StatusCode::kNotFound, {"'nope'"}));
  EXPECT_TRUE(Fails(db_->Checksum("facts", 9).status(), kInvalid,
                    {"version 9", "latest version is 1"}));
}

TEST_F(BadInputTest, ReadersOutsideTheReadableVersions) {
  db_.reset();
  options_.history_versions = 1;
  options_.cumulative_threshold = 2;
  options_.max_pending_singletons = 2;
  auto db = Database::Open(options_, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = std::move(*db);
  for (int i = 0; i < 16; ++i) ASSERT_NO_FATAL_FAILURE(CommitRows(1, i));
  DB_ASSERT_OK(db_->CompactNow());
  const uint64_t oldest = db_->OldestReadableVersion();
  ASSERT_GT(oldest, 1u);
  ASSERT_LE(oldest, 15u);  // latest - history_versions + 1 stays readable
  EXPECT_TRUE(Fails(db_->NewReader(oldest - 1).status(),
                    absl::StatusCode::kOutOfRange,
                    {fmt::format("version {}", oldest - 1),
                     fmt::format("oldest readable version is {}", oldest)}));
  EXPECT_TRUE(Fails(db_->NewReader(0).status(), absl::StatusCode::kOutOfRange,
                    {fmt::format("oldest readable version is {}", oldest)}));
  EXPECT_TRUE(Fails(db_->Checksum("facts", oldest - 1).status(),
                    absl::StatusCode::kOutOfRange,
                    {fmt::format("oldest readable version is {}", oldest)}));
  EXPECT_TRUE(Fails(db_->NewReader(17).status(),
                    absl::StatusCode::kInvalidArgument,
                    {"version 17", "future", "latest version is 16"}));
  EXPECT_TRUE(Fails(db_->NewReader(~uint64_t{0}).status(),
                    absl::StatusCode::kInvalidArgument, {"future"}));
  for (uint64_t v = oldest; v <= 16; ++v) {
    auto reader = db_->NewReader(v);
    ASSERT_TRUE(reader.ok()) << reader.status();
    auto rows = ScanAll(**reader, "facts", Facts());
    ASSERT_TRUE(rows.ok()) << rows.status();
    // Commit i wrote clicks i at day 0: the sum of 0..v-1.
    ASSERT_EQ(rows->num_rows(), 1u);
    EXPECT_EQ(rows->column(2).GetInt64(0),
              static_cast<int64_t>(v * (v - 1) / 2));
  }
  // A table read before it was created.
  auto late = db_->CreateTable("late", Facts());
  ASSERT_TRUE(late.ok());
  auto reader = db_->NewReader(15);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(Fails((*reader)->Scan("late", {}).status(),
                    absl::StatusCode::kNotFound,
                    {"'late'", "created at version 16"}));
}

// Destroying the Database first is a misuse the reader survives: it still
// answers from the version it pinned.
TEST_F(BadInputTest, ReaderThatOutlivesItsDatabase) {
  for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(CommitRows(4, i + 1));
  auto reader = db_->NewReader(2);
  ASSERT_TRUE(reader.ok());
  DB_ASSERT_OK(db_->CompactNow());  // the reader pins the old singletons
  db_.reset();
  auto rows = ScanAll(**reader, "facts", Facts());
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->num_rows(), 4u);
  for (size_t r = 0; r < 4; ++r) EXPECT_EQ(rows->column(2).GetInt64(r), 3);
  auto got = (*reader)->Get("facts", {"US", 3});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->column(2).GetInt64(0), 3);
}

// Overwrites `path` with `data` (the in-memory file system has no
// in-place writes).
void Rewrite(FileSystem* fs, const std::string& path, const std::string& data) {
  auto f = fs->NewWritableFile(path);
  ASSERT_TRUE(f.ok()) << f.status();
  DB_ASSERT_OK((*f)->Append(data));
  DB_ASSERT_OK((*f)->Sync());
  DB_ASSERT_OK((*f)->Close());
}

std::vector<std::string> Children(FileSystem* fs, const std::string& dir,
                                  std::string_view pattern) {
  std::vector<std::string> out;
  auto names = fs->GetChildren(dir);
  EXPECT_TRUE(names.ok());
  for (const std::string& n : *names) {
    if (n.find(pattern) != std::string::npos) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(BadInputTest, CorruptManifest) {
  for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(CommitRows(2));
  db_.reset();
  std::vector<std::string> manifests = Children(fs_.get(), "/db", "MANIFEST-");
  ASSERT_EQ(manifests.size(), 1u);
  const std::string path = "/db/" + manifests[0];
  auto data = ReadFileToString(fs_.get(), path);
  ASSERT_TRUE(data.ok());
  // A flipped byte in the first record, with more records after it.
  std::string bad = *data;
  bad[20] ^= 0x40;
  ASSERT_NO_FATAL_FAILURE(Rewrite(fs_.get(), path, bad));
  EXPECT_TRUE(Fails(Database::Open(options_, "/db").status(),
                    absl::StatusCode::kDataLoss, {manifests[0], "offset 0"}));
  // CURRENT that names no manifest, or garbage.
  ASSERT_NO_FATAL_FAILURE(Rewrite(fs_.get(), path, *data));
  ASSERT_NO_FATAL_FAILURE(Rewrite(fs_.get(), "/db/CURRENT",
                                  "MANIFEST-000099\n"));
  EXPECT_TRUE(Fails(Database::Open(options_, "/db").status(),
                    absl::StatusCode::kDataLoss,
                    {"CURRENT", "MANIFEST-000099", "does not exist"}));
  ASSERT_NO_FATAL_FAILURE(Rewrite(fs_.get(), "/db/CURRENT", "garbage"));
  EXPECT_TRUE(Fails(Database::Open(options_, "/db").status(),
                    absl::StatusCode::kDataLoss, {"CURRENT"}));
  // Repaired, it opens with every commit.
  ASSERT_NO_FATAL_FAILURE(
      Rewrite(fs_.get(), "/db/CURRENT", manifests[0] + "\n"));
  auto db = Database::Open(options_, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->LatestVersion(), 3u);
}

TEST_F(BadInputTest, CorruptOrMissingDeltaFile) {
  // Many rows in small uncompressed blocks: the first half of the file is
  // data blocks.
  TableOptions topts;
  topts.delta_file.block_size = 256;
  topts.delta_file.codec = Codec::kNone;
  auto big = db_->CreateTable("big", Facts(), topts);
  ASSERT_TRUE(big.ok());
  UpdateBatch batch;
  for (int i = 0; i < 500; ++i) {
    DB_ASSERT_OK(batch.AddRow(**big, {"US", int32_t{i}, int64_t{i},
                                      uint64_t{1}, 0.25, "label"}));
  }
  ASSERT_TRUE(db_->Commit(batch).ok());
  ASSERT_NO_FATAL_FAILURE(CommitRows(1));  // a healthy second table
  db_.reset();

  std::vector<std::string> deltas = Children(fs_.get(), "/db", ".delta");
  ASSERT_EQ(deltas.size(), 2u);
  // The bigger file is big's.
  std::string victim;
  uint64_t victim_size = 0;
  for (const std::string& d : deltas) {
    auto size = fs_->GetFileSize("/db/" + d);
    ASSERT_TRUE(size.ok());
    if (*size > victim_size) {
      victim_size = *size;
      victim = d;
    }
  }
  const std::string path = "/db/" + victim;
  auto data = ReadFileToString(fs_.get(), path);
  ASSERT_TRUE(data.ok());
  std::string bad = *data;
  bad[bad.size() / 4] ^= 0x01;
  ASSERT_NO_FATAL_FAILURE(Rewrite(fs_.get(), path, bad));

  auto db = Database::Open(options_, "/db");
  ASSERT_TRUE(db.ok()) << db.status();  // deltas are read on demand
  auto reader = (*db)->NewReader();
  ASSERT_TRUE(reader.ok());
  auto rows = ScanAll(**reader, "big", Facts());
  EXPECT_TRUE(Fails(rows.status(), absl::StatusCode::kDataLoss, {victim}));
  auto sum = (*db)->Checksum("big", 1);
  EXPECT_TRUE(Fails(sum.status(), absl::StatusCode::kDataLoss, {victim}));
  // The other table is unaffected.
  auto facts_rows = ScanAll(**reader, "facts", Facts());
  ASSERT_TRUE(facts_rows.ok()) << facts_rows.status();
  EXPECT_EQ(facts_rows->num_rows(), 1u);

  // A compaction over the damaged file fails and publishes nothing.
  for (int i = 0; i < 3; ++i) {
    UpdateBatch more;
    DB_ASSERT_OK(more.AddRow(**big, {"GB", int32_t{i}, int64_t{1},
                                     uint64_t{1}, 1.0, "x"}));
    auto v = (*db)->Commit(more);
    if (!v.ok()) {
      // Back-pressure ran the compaction inline: it reports the damage.
      EXPECT_TRUE(Fails(v.status(), absl::StatusCode::kDataLoss, {victim}));
    }
  }
  const DatabaseStats before = (*db)->Stats();
  EXPECT_TRUE(Fails((*db)->CompactNow(), absl::StatusCode::kDataLoss,
                    {victim}));
  const DatabaseStats after = (*db)->Stats();
  EXPECT_EQ(after.cumulative_compactions, before.cumulative_compactions);
  EXPECT_EQ(after.base_compactions, before.base_compactions);
  reader->reset();
  db->reset();

  // A delta file that is gone altogether: DataLoss naming it, not "no such
  // table".
  DB_ASSERT_OK(fs_->DeleteFile(path));
  db = Database::Open(options_, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  reader = (*db)->NewReader(1);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(Fails(ScanAll(**reader, "big", Facts()).status(),
                    absl::StatusCode::kDataLoss, {victim}));
  EXPECT_TRUE(Fails((*reader)->Get("big", {"US", 1}).status(),
                    absl::StatusCode::kDataLoss, {victim}));
}

}  // namespace
}  // namespace mesa
