// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Rollups: the paper's table C over table B, rollups declared with their
// table and added later (back-filled), their answers equal to a group-by
// over the parent at every version, through reopen and compaction, and
// clear errors for bad rollups.

#include <map>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "tests/db/db_test_util.h"
#include "tests/testing/test_util.h"

namespace mesa::testing {
namespace {

constexpr int32_t k20131231 = 16070;
constexpr int32_t k20140101 = 16071;

Schema SchemaB() {
  return *Schema::Create(
      {{"Date", ColumnType::kInt32, Aggregation::kNone},
       {"AdvertiserId", ColumnType::kInt64, Aggregation::kNone},
       {"Country", ColumnType::kString, Aggregation::kNone}},
      {{"Clicks", ColumnType::kInt64, Aggregation::kSum},
       {"Cost", ColumnType::kInt64, Aggregation::kSum}});
}

RollupSpec SpecC() { return {"C", {"AdvertiserId", "Country"}, {}}; }

using CRow = std::tuple<int64_t, std::string, int64_t, int64_t>;

std::vector<CRow> ScanC(const VersionedReader& reader, std::string_view t) {
  auto scan = reader.Scan(t, {});
  EXPECT_TRUE(scan.ok()) << scan.status();
  if (!scan.ok()) return {};
  std::vector<CRow> rows;
  RowCursor cursor(std::move(*scan));
  while (cursor.Next()) {
    rows.emplace_back(cursor.GetInt64(0), std::string(cursor.GetString(1)),
                      cursor.GetInt64(2), cursor.GetInt64(3));
  }
  EXPECT_TRUE(cursor.status().ok()) << cursor.status();
  return rows;
}

void CommitPaperB(Database* db, const Table& b) {
  UpdateBatch v0;
  DB_ASSERT_OK(v0.AddRow(b, {k20131231, int64_t{1}, "US", int64_t{10}, int64_t{32}}));
  DB_ASSERT_OK(v0.AddRow(b, {k20140101, int64_t{2}, "UK", int64_t{40}, int64_t{20}}));
  DB_ASSERT_OK(v0.AddRow(b, {k20140101, int64_t{2}, "US", int64_t{150}, int64_t{80}}));
  ASSERT_TRUE(db->Commit(v0).ok());
  UpdateBatch v1;
  DB_ASSERT_OK(v1.AddRow(b, {k20140101, int64_t{1}, "US", int64_t{5}, int64_t{3}}));
  DB_ASSERT_OK(v1.AddRow(b, {k20140101, int64_t{2}, "UK", int64_t{60}, int64_t{30}}));
  DB_ASSERT_OK(v1.AddRow(b, {k20140101, int64_t{2}, "US", int64_t{50}, int64_t{20}}));
  ASSERT_TRUE(db->Commit(v1).ok());
}

const std::vector<CRow> kCAfter0 = {
    {1, "US", 10, 32}, {2, "UK", 40, 20}, {2, "US", 150, 80}};
const std::vector<CRow> kCAfter1 = {
    {1, "US", 15, 35}, {2, "UK", 100, 50}, {2, "US", 200, 100}};

Options TestOptions() {
  Options options;
  options.background_threads = 0;
  return options;
}

TEST(RollupTest, PaperTableCDeclaredWithItsTable) {
  const std::string dir = NewTempDir("rollup_paper");
  {
    auto db = *Database::Open(TestOptions(), dir);
    TableOptions options;
    options.rollups = {SpecC()};
    auto b = db->CreateTable("B", SchemaB(), options);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_EQ((*b)->options().rollups.size(), 1u);
    EXPECT_EQ((*b)->options().rollups[0].key_columns,
              (std::vector<std::string>{"AdvertiserId", "Country"}));
    auto c = db->GetTable("C");
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ((*c)->rollup_of(), "B");
    EXPECT_TRUE((*c)->ready());
    EXPECT_EQ(db->ListTables(), (std::vector<std::string>{"B", "C"}));
    CommitPaperB(db.get(), **b);
    EXPECT_EQ(ScanC(**db->NewReader(1), "C"), kCAfter0);
    EXPECT_EQ(ScanC(**db->NewReader(2), "C"), kCAfter1);
    // One manifest record per commit: C's singleton is published with B's.
    DatabaseStats stats = db->Stats();
    for (const TableStats& t : stats.tables) {
      EXPECT_EQ(t.deltas.size(), 2u) << t.name;
      if (t.name == "C") {
        EXPECT_EQ(t.rollup_of, "B");
        EXPECT_TRUE(t.ready);
      }
    }
  }
  auto db = *Database::Open(TestOptions(), dir);
  EXPECT_EQ(ScanC(**db->NewReader(1), "C"), kCAfter0);
  DB_ASSERT_OK(db->CompactNow());
  EXPECT_EQ(ScanC(**db->NewReader(2), "C"), kCAfter1);
  EXPECT_EQ((*db->GetTable("B"))->options().rollups.size(), 1u);
}

TEST(RollupTest, BadRollupsGetClearErrors) {
  auto db = *Database::Open(TestOptions(), NewTempDir("rollup_bad"));
  Schema with_replace = *Schema::Create(
      {{"k", ColumnType::kInt64, Aggregation::kNone},
       {"j", ColumnType::kInt64, Aggregation::kNone}},
      {{"last", ColumnType::kInt64, Aggregation::kReplace},
       {"n", ColumnType::kInt64, Aggregation::kSum}});
  struct Case {
    RollupSpec spec;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"", {"k"}, {}}, "empty name"},
      {{"r", {}, {}}, "no key column"},
      {{"r", {"nope"}, {}}, "no column 'nope'"},
      {{"r", {"n"}, {}}, "'n' is a value column"},
      {{"r", {"k", "k"}, {"n"}}, "listed twice"},
      {{"r", {"k"}, {"j"}}, "'j' is a key column"},
      {{"r", {"k"}, {}}, "REPLACE"},
      {{"r", {"k"}, {"last"}}, "REPLACE"},
      {{"T", {"k"}, {"n"}}, "the name of its table"},
  };
  for (const Case& c : cases) {
    TableOptions options;
    options.rollups = {c.spec};
    auto t = db->CreateTable("T", with_replace, options);
    ASSERT_FALSE(t.ok()) << c.message;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(Message(t.status()).find(c.message), std::string::npos)
        << t.status();
  }
  TableOptions twice;
  twice.rollups = {{"r", {"k"}, {"n"}}, {"r", {"j"}, {"n"}}};
  EXPECT_EQ(db->CreateTable("T", with_replace, twice).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(db->ListTables().empty());

  TableOptions good;
  good.rollups = {{"by_k", {"k"}, {"n"}}};
  auto t = *db->CreateTable("T", with_replace, good);
  EXPECT_EQ(db->AddRollup("T", {"by_k", {"j"}, {"n"}}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(db->AddRollup("T", {"T", {"j"}, {"n"}}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(db->AddRollup("nope", {"x", {"j"}, {"n"}}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(db->AddRollup("by_k", {"x", {"k"}, {"n"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->DropTable("by_k").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->DropRollup("T").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->DropRollup("nope").code(), absl::StatusCode::kNotFound);

  // Rows of a rollup are derived, never committed.
  auto rollup = *db->GetTable("by_k");
  UpdateBatch batch;
  DB_ASSERT_OK(batch.AddRow(*rollup, {int64_t{1}, int64_t{2}}));
  absl::StatusOr<uint64_t> v = db->Commit(batch);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(Message(v.status()).find("'by_k' is a rollup"), std::string::npos)
      << v.status();
  EXPECT_EQ(db->LatestVersion(), 0u);
}

// The rows of `rollup` as a group-by over `parent` at the reader's version.
RowBatch GroupByParent(const VersionedReader& reader, const Schema& parent,
                       std::string_view parent_name, const Schema& rollup) {
  absl::StatusOr<RowBatch> all = ScanAll(reader, parent_name, parent);
  EXPECT_TRUE(all.ok()) << all.status();
  RowBatch rows(rollup);
  if (!all.ok()) return rows;
  for (size_t c = 0; c < rollup.num_columns(); ++c) {
    const size_t from = *parent.FindColumn(rollup.column(c).name);
    rows.column(c).AppendRange(all->column(from), 0, all->num_rows());
  }
  workload::SortAndAggregate(rollup, &rows);
  return rows;
}

// A random rollup of `schema`: some keys in a random order, some of the
// values that are not REPLACE (none listed: all values).
RollupSpec RandomRollup(std::mt19937_64& rng, const Schema& schema) {
  RollupSpec spec;
  spec.name = "r";
  std::vector<std::string> keys;
  for (size_t c = 0; c < schema.num_keys(); ++c) {
    keys.push_back(schema.column(c).name);
  }
  std::shuffle(keys.begin(), keys.end(), rng);
  keys.resize(1 + rng() % keys.size());
  spec.key_columns = keys;
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    if (schema.column(c).aggregation != Aggregation::kReplace && rng() % 3) {
      spec.value_columns.push_back(schema.column(c).name);
    }
  }
  return spec;
}

// Whether `spec` asks for every value and one is REPLACE (an error).
bool HasReplaceOnly(const Schema& schema, const RollupSpec& spec) {
  if (!spec.value_columns.empty()) return false;
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    if (schema.column(c).aggregation == Aggregation::kReplace) return true;
  }
  return false;
}

// A rollup declared with its table and the same rollup added after some
// commits (back-filled while commits go on) agree with a group-by over the
// parent at every version they answer, before and after compaction and a
// reopen.
TEST(RollupTest, DeclaredAndBackfilledRollupsEqualAGroupByOfTheParent) {
  const uint64_t seed = TestSeed(20261125);
  std::mt19937_64 rng(seed);
  const int rounds = Iterations(12, 3);
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(fmt::format("seed {} round {}", seed, round));
    Schema schema = RandomSchema(rng, 4, 4);
    RollupSpec spec = RandomRollup(rng, schema);
    if (HasReplaceOnly(schema, spec)) continue;  // no rollup possible
    const std::string dir = NewTempDir("rollup_random");
    Options options = TestOptions();
    options.cumulative_threshold = 3;
    options.history_versions = 1000;
    auto db = *Database::Open(options, dir);
    TableOptions declared;
    declared.rollups = {spec};
    auto t = db->CreateTable("t", schema, declared);
    ASSERT_TRUE(t.ok()) << t.status();
    auto u = *db->CreateTable("u", schema);
    RowSource source(rng, schema);
    const int commits = 3 + rng() % 8;
    const int add_at = rng() % commits;
    std::optional<RollupSpec> late;
    for (int i = 0; i < commits; ++i) {
      if (i == add_at) {
        late = spec;
        late->name = "late";
        auto added = db->AddRollup("u", *late);
        ASSERT_TRUE(added.ok()) << added.status();
        EXPECT_EQ((*added)->ready(), db->LatestVersion() == 0);
      }
      RowBatch rows = source.Rows(rng, 1 + rng() % 50);
      UpdateBatch batch;
      DB_ASSERT_OK(batch.AddRows(**t, rows));
      DB_ASSERT_OK(batch.AddRows(*u, rows));
      ASSERT_TRUE(db->Commit(batch).ok());
      if (rng() % 3 == 0) DB_ASSERT_OK(db->CompactNow());
    }
    Schema rollup_schema = (*db->GetTable("r"))->schema();
    for (int pass = 0; pass < 2; ++pass) {
      DB_ASSERT_OK(db->CompactNow());  // finishes the back-fill
      auto late_table = *db->GetTable("late");
      EXPECT_TRUE(late_table->ready());
      for (uint64_t v = 1; v <= db->LatestVersion(); ++v) {
        auto reader = *db->NewReader(v);
        RowBatch want = GroupByParent(*reader, schema, "t", rollup_schema);
        auto got = ScanAll(*reader, "r", rollup_schema);
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_TRUE(SameRows(rollup_schema, *got, want)) << "r at v" << v;
        auto late_rows = ScanAll(*reader, "late", rollup_schema);
        if (late_rows.ok()) {
          EXPECT_TRUE(SameRows(rollup_schema, *late_rows, want))
              << "late at v" << v;
        } else {
          // Readable only from its back-fill version on (and absent
          // before its creation).
          EXPECT_TRUE(absl::IsFailedPrecondition(late_rows.status()) ||
                      absl::IsNotFound(late_rows.status()))
              << late_rows.status();
        }
      }
      auto latest = db->LatestVersion();
      EXPECT_EQ(*db->Checksum("r", latest), *db->Checksum("late", latest));
      db.reset();
      db = *Database::Open(options, dir);
    }
  }
}

TEST(RollupTest, BackfillWaitsForCompactNowAndSurvivesAReopen) {
  const std::string dir = NewTempDir("rollup_backfill");
  {
    auto db = *Database::Open(TestOptions(), dir);
    auto b = *db->CreateTable("B", SchemaB());
    CommitPaperB(db.get(), *b);
    auto c = db->AddRollup("B", SpecC());
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_FALSE((*c)->ready());
    auto reader = *db->NewReader();
    auto scan = reader->Scan("C", {});
    EXPECT_EQ(scan.status().code(), absl::StatusCode::kFailedPrecondition)
        << scan.status();
    // A commit while the rollup waits for its back-fill derives its rows.
    UpdateBatch more;
    DB_ASSERT_OK(more.AddRow(*b, {k20140101, int64_t{3}, "FR", int64_t{1}, int64_t{2}}));
    ASSERT_TRUE(db->Commit(more).ok());
  }
  // Reopened before the back-fill: it is still pending, then done.
  auto db = *Database::Open(TestOptions(), dir);
  EXPECT_FALSE((*db->GetTable("C"))->ready());
  DB_ASSERT_OK(db->CompactNow());
  EXPECT_TRUE((*db->GetTable("C"))->ready());
  std::vector<CRow> want = kCAfter1;
  want.push_back({3, "FR", 1, 2});
  EXPECT_EQ(ScanC(**db->NewReader(), "C"), want);
  // Below its back-fill version the rollup does not answer.
  EXPECT_EQ((*db->NewReader(2))->Scan("C", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  UpdateBatch after;
  auto b = *db->GetTable("B");
  DB_ASSERT_OK(after.AddRow(*b, {k20140101, int64_t{3}, "FR", int64_t{1}, int64_t{2}}));
  ASSERT_TRUE(db->Commit(after).ok());
  want.back() = {3, "FR", 2, 4};
  EXPECT_EQ(ScanC(**db->NewReader(), "C"), want);
}

TEST(RollupTest, BackgroundBackfillUnderConcurrentCommits) {
  Options options;
  options.background_threads = 1;
  options.history_versions = 1000;
  auto db = *Database::Open(options, NewTempDir("rollup_bg"));
  TableOptions declared;
  declared.rollups = {SpecC()};
  auto b = *db->CreateTable("B", SchemaB(), declared);
  auto b2 = *db->CreateTable("B2", SchemaB());
  std::mt19937_64 rng(7);
  const std::vector<std::string> countries = {"US", "UK", "FR", "DE"};
  auto commit_some = [&](int n) {
    for (int i = 0; i < n; ++i) {
      UpdateBatch batch;
      for (int r = 0; r < 200; ++r) {
        std::vector<Value> row = {
            static_cast<int32_t>(k20140101 + rng() % 30),
            static_cast<int64_t>(rng() % 50), countries[rng() % 4],
            static_cast<int64_t>(rng() % 100) - 20,
            static_cast<int64_t>(rng() % 1000)};
        DB_ASSERT_OK(batch.AddRow(*b, row));
        DB_ASSERT_OK(batch.AddRow(*b2, row));
      }
      ASSERT_TRUE(db->Commit(batch).ok());
    }
  };
  commit_some(20);
  RollupSpec late = SpecC();
  late.name = "C2";
  ASSERT_TRUE(db->AddRollup("B2", late).ok());
  commit_some(20);  // while the back-fill runs in the background
  for (int i = 0; i < 2000 && !(*db->GetTable("C2"))->ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE((*db->GetTable("C2"))->ready());
  commit_some(5);
  const uint64_t v = db->LatestVersion();
  EXPECT_EQ(*db->Checksum("C", v), *db->Checksum("C2", v));
}

TEST(RollupTest, DropsAreImmediateForNewReadersOnly) {
  auto db = *Database::Open(TestOptions(), NewTempDir("rollup_drop"));
  TableOptions declared;
  declared.rollups = {SpecC()};
  auto b = *db->CreateTable("B", SchemaB(), declared);
  CommitPaperB(db.get(), *b);
  auto pinned = *db->NewReader();
  DB_ASSERT_OK(db->DropRollup("C"));
  EXPECT_EQ(db->GetTable("C").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE((*db->GetTable("B"))->options().rollups.empty());
  EXPECT_EQ(ScanC(*pinned, "C"), kCAfter1);  // the old reader still sees it
  EXPECT_EQ((*db->NewReader())->Scan("C", {}).status().code(),
            absl::StatusCode::kNotFound);
  // Dropping a table drops its rollups.
  ASSERT_TRUE(db->AddRollup("B", SpecC()).ok());
  DB_ASSERT_OK(db->CompactNow());
  DB_ASSERT_OK(db->DropTable("B"));
  EXPECT_TRUE(db->ListTables().empty());
  EXPECT_EQ(ScanC(*pinned, "C"), kCAfter1);
}

}  // namespace
}  // namespace mesa::testing
