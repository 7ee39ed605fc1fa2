// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Crash safety: a scripted workload (create tables, commits, compactions,
// a drop and a re-create) runs on a FaultInjectionFileSystem over an
// in-memory file system. For every mutating file-system call N of the run
// (writes, syncs, renames, deletes; of Open, commits and compactions
// alike) one run fails call N, either once or for good (the disk is gone),
// then the power is cut (DropUnsyncedData) — or, in a third variant, the
// process merely restarts — and the database is reopened. It must open;
// its latest version must be at least the last one Commit acknowledged and
// at most one more (a commit that failed after its manifest record reached
// the disk); every readable version must match the model; no garbage file
// may be left; and the recovered database must take new commits. Tables
// have rollups, one declared with its table and one added later (and
// back-filled by CompactNow): wherever a rollup answers, it must equal a
// group-by of its table's model.

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"
#include "tests/testing/fault_injection_fs.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using testing::FaultInjectionFileSystem;
using testing::Message;
using testing::ModelTable;
using testing::RowSource;
using testing::SameRows;
using testing::ScanAll;

constexpr char kDir[] = "/db";

enum class Kind { kCreate, kDrop, kCommit, kCompact, kAddRollup };

struct ScriptStep {
  Kind kind;
  std::string table;                       // kCreate, kDrop, kAddRollup
  std::map<std::string, RowBatch> rows;    // kCommit: by table name
};

struct Script {
  std::map<std::string, Schema> schemas;
  // Rollups declared with their table (kCreate) or added (kAddRollup), by
  // table name.
  std::map<std::string, RollupSpec> rollups;
  std::vector<ScriptStep> steps;
};

Schema SchemaA() {
  return Schema::Create({{"country", ColumnType::kString},
                         {"id", ColumnType::kInt64}},
                        {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                         {"cost", ColumnType::kDouble, Aggregation::kSum},
                         {"label", ColumnType::kString, Aggregation::kReplace},
                         {"low", ColumnType::kInt32, Aggregation::kMin},
                         {"high", ColumnType::kUint64, Aggregation::kMax}})
      .value();
}

Schema SchemaB() {
  return Schema::Create({{"day", ColumnType::kInt32}},
                        {{"n", ColumnType::kUint64, Aggregation::kSum},
                         {"last", ColumnType::kDouble, Aggregation::kReplace}})
      .value();
}

// The workload: every run replays exactly these steps.
Script MakeScript() {
  std::mt19937_64 rng(testing::TestSeed(77));
  Script s;
  s.schemas = {{"a", SchemaA()}, {"b", SchemaB()}, {"c", SchemaB()}};
  s.rollups = {{"a", {"a_by_id", {"id"}, {"clicks", "cost", "low", "high"}}},
               {"c", {"c_by_day", {"day"}, {"n"}}}};
  std::map<std::string, std::unique_ptr<RowSource>> sources;
  for (const auto& [name, schema] : s.schemas) {
    sources[name] = std::make_unique<RowSource>(rng, schema);
  }
  auto commit = [&](std::vector<std::string> tables) {
    ScriptStep step{Kind::kCommit, "", {}};
    for (const std::string& t : tables) {
      step.rows.emplace(t, sources[t]->Rows(rng, 1 + rng() % 12));
    }
    s.steps.push_back(std::move(step));
  };
  s.steps.push_back({Kind::kCreate, "a", {}});
  s.steps.push_back({Kind::kCreate, "b", {}});
  for (int i = 0; i < 6; ++i) {
    commit(i % 3 == 0 ? std::vector<std::string>{"a", "b"}
                      : std::vector<std::string>{i % 3 == 1 ? "a" : "b"});
  }
  commit({});  // an empty commit still publishes a version
  s.steps.push_back({Kind::kCompact, "", {}});
  s.steps.push_back({Kind::kAddRollup, "a", {}});
  commit({"a"});
  for (int i = 0; i < 8; ++i) commit({"a"});
  s.steps.push_back({Kind::kDrop, "b", {}});
  s.steps.push_back({Kind::kCreate, "c", {}});
  for (int i = 0; i < 6; ++i) commit(i % 2 ? std::vector<std::string>{"a", "c"}
                                           : std::vector<std::string>{"c"});
  s.steps.push_back({Kind::kCompact, "", {}});  // back-fills a_by_id
  commit({"a", "c"});
  return s;
}

Options CrashOptions(FileSystem* fs) {
  // No background thread: deterministic, every mutation in this thread.
  Options o = testing::SmallCompactionOptions(fs, 0, 2, 3);
  o.history_versions = 3;
  return o;
}

// What the workload was told, and so what recovery must show.
struct TableOutcome {
  bool create_attempted = false;
  bool created = false;  // acknowledged
  bool drop_attempted = false;
  bool dropped = false;  // acknowledged
  uint64_t created_version = 0;
  std::shared_ptr<const Table> handle;
};

struct Outcome {
  uint64_t last_acked = 0;
  // Acknowledged commits: version -> rows by table.
  std::map<uint64_t, std::map<std::string, RowBatch>> acked;
  // Commits attempted at version last_acked + 1 that failed: one of them
  // may have reached the disk all the same.
  std::vector<std::map<std::string, RowBatch>> candidates;
  std::map<std::string, TableOutcome> tables;
  // Rollups whose AddRollup was attempted, by rollup name -> table name.
  std::map<std::string, std::string> rollups_attempted;
  bool completed = false;  // every step succeeded
  DatabaseStats stats;     // at the end of the run
};

// Runs the script until the end; failed steps are noted, not fatal.
Outcome RunScript(const Script& script, FileSystem* fs) {
  Outcome out;
  auto db_or = Database::Open(CrashOptions(fs), kDir);
  if (!db_or.ok()) return out;
  std::unique_ptr<Database> db = std::move(*db_or);
  bool all_ok = true;
  for (const ScriptStep& step : script.steps) {
    switch (step.kind) {
      case Kind::kCreate: {
        TableOutcome& t = out.tables[step.table];
        t.create_attempted = true;
        t.created_version = db->LatestVersion();
        TableOptions options;
        if (step.table == "c") options.rollups = {script.rollups.at("c")};
        auto h = db->CreateTable(step.table, script.schemas.at(step.table),
                                 options);
        if (h.ok()) {
          t.created = true;
          t.handle = *h;
        } else {
          all_ok = false;
        }
        break;
      }
      case Kind::kDrop: {
        TableOutcome& t = out.tables[step.table];
        t.drop_attempted = true;
        absl::Status s = db->DropTable(step.table);
        if (s.ok()) {
          t.dropped = true;
        } else {
          all_ok = false;
        }
        break;
      }
      case Kind::kCompact:
        if (!db->CompactNow().ok()) all_ok = false;
        break;
      case Kind::kAddRollup: {
        const RollupSpec& spec = script.rollups.at(step.table);
        out.rollups_attempted[spec.name] = step.table;
        if (!db->AddRollup(step.table, spec).ok()) all_ok = false;
        break;
      }
      case Kind::kCommit: {
        UpdateBatch batch;
        std::map<std::string, RowBatch> sent;
        for (const auto& [name, rows] : step.rows) {
          const TableOutcome& t = out.tables[name];
          if (t.handle == nullptr || t.drop_attempted) continue;
          if (!batch.AddRows(*t.handle, rows).ok()) ADD_FAILURE() << name;
          sent.emplace(name, rows);
        }
        const uint64_t expected = db->LatestVersion() + 1;
        auto v = db->Commit(batch);
        if (v.ok()) {
          EXPECT_EQ(*v, expected);
          EXPECT_EQ(expected, out.last_acked + 1);
          out.last_acked = *v;
          out.acked.emplace(*v, std::move(sent));
          out.candidates.clear();
        } else {
          all_ok = false;
          if (expected == out.last_acked + 1) {
            out.candidates.push_back(std::move(sent));
          }
        }
        break;
      }
    }
  }
  out.completed = all_ok;
  out.stats = db->Stats();
  return out;
}

// The model of table `name` given the acknowledged commits and, if the
// recovered database holds one more version, `extra`.
ModelTable ModelOf(const Script& script, const Outcome& o,
                   const std::string& name, uint64_t created_version,
                   const std::map<std::string, RowBatch>* extra) {
  ModelTable m;
  m.name = name;
  m.schema = script.schemas.at(name);
  m.created_version = created_version;
  for (const auto& [v, tables] : o.acked) {
    auto it = tables.find(name);
    if (it != tables.end()) m.AddBatch(v, it->second);
  }
  if (extra != nullptr) {
    auto it = extra->find(name);
    if (it != extra->end()) m.AddBatch(o.last_acked + 1, it->second);
  }
  return m;
}

void ExpectNoGarbage(Database* db, FileSystem* fs) {
  auto names = fs->GetChildren(kDir);
  ASSERT_TRUE(names.ok()) << names.status();
  std::vector<std::string> live;
  for (const TableStats& t : db->Stats().tables) {
    for (const DeltaStats& d : t.deltas) {
      live.push_back(fmt::format("{}.delta", d.file_number));
    }
  }
  std::sort(live.begin(), live.end());
  std::vector<std::string> deltas;
  int manifests = 0;
  for (const std::string& n : *names) {
    EXPECT_EQ(n.find(".tmp"), std::string::npos) << "left over: " << n;
    if (n.rfind("MANIFEST-", 0) == 0) ++manifests;
    if (n.size() > 6 && n.substr(n.size() - 6) == ".delta") deltas.push_back(n);
  }
  EXPECT_EQ(manifests, 1);
  std::sort(deltas.begin(), deltas.end());
  EXPECT_EQ(deltas, live) << "delta files in the directory vs live deltas";
}

// Checks every rollup in `rollups` at each version in [from, to] where it
// answers against a group-by of its table's model; a rollup that does not
// answer there must say it is being back-filled or readable later.
void CheckRollups(const Script& script, const Outcome& o, Database* db,
                  const std::vector<std::string>& rollups,
                  const std::map<std::string, RowBatch>* extra, uint64_t from,
                  uint64_t to) {
  for (const std::string& r : rollups) {
    auto handle = db->GetTable(r);
    ASSERT_TRUE(handle.ok()) << handle.status();
    const std::string& table = (*handle)->rollup_of();
    ASSERT_TRUE(script.rollups.contains(table)) << "unknown rollup " << r;
    ASSERT_EQ(script.rollups.at(table).name, r);
    if (table == "a") {
      ASSERT_TRUE(o.rollups_attempted.contains(r))
          << "rollup '" << r << "' was never added";
    }
    const Schema& schema = (*handle)->schema();
    const auto& t = o.tables.at(table);
    ModelTable m = ModelOf(script, o, table, t.created_version, extra);
    for (uint64_t v = from; v <= to; ++v) {
      SCOPED_TRACE(fmt::format("rollup {} at version {}", r, v));
      auto reader = db->NewReader(v);
      ASSERT_TRUE(reader.ok()) << reader.status();
      auto rows = ScanAll(**reader, r, schema);
      if (!rows.ok()) {
        // Not back-filled there, or not created yet.
        ASSERT_TRUE(absl::IsFailedPrecondition(rows.status()) ||
                    (absl::IsNotFound(rows.status()) &&
                     Message(rows.status()).find("was created at version") !=
                         std::string::npos))
            << rows.status();
        continue;
      }
      const RowBatch& parent = m.At(v);
      RowBatch want(schema);
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        const size_t p = *m.schema.FindColumn(schema.column(c).name);
        want.column(c).AppendRange(parent.column(p), 0, parent.num_rows());
      }
      workload::SortAndAggregate(schema, &want);
      ASSERT_TRUE(SameRows(schema, *rows, want));
    }
  }
}

// Reopens after the run and checks everything the header promises.
void CheckRecovery(const Script& script, const Outcome& o, FileSystem* fs) {
  auto db_or = Database::Open(CrashOptions(fs), kDir);
  ASSERT_TRUE(db_or.ok()) << "reopen: " << db_or.status();
  std::unique_ptr<Database> db = std::move(*db_or);
  const uint64_t latest = db->LatestVersion();
  ASSERT_GE(latest, o.last_acked) << "an acknowledged commit was lost";
  ASSERT_LE(latest, o.last_acked + (o.candidates.empty() ? 0 : 1))
      << "a version that was never attempted";
  ASSERT_NO_FATAL_FAILURE(ExpectNoGarbage(db.get(), fs));

  // Which tables exist; rollups are checked against their tables.
  std::vector<std::string> listed, rollups;
  for (const std::string& n : db->ListTables()) {
    auto handle = db->GetTable(n);
    ASSERT_TRUE(handle.ok()) << handle.status();
    ((*handle)->is_rollup() ? rollups : listed).push_back(n);
  }
  auto exists = [&](const std::string& n) {
    return std::find(listed.begin(), listed.end(), n) != listed.end();
  };
  for (const auto& [name, t] : o.tables) {
    if (t.created && !t.drop_attempted) {
      EXPECT_TRUE(exists(name)) << "acknowledged table '" << name << "' lost";
    }
    if (t.dropped || !t.create_attempted) {
      EXPECT_FALSE(exists(name)) << "table '" << name << "' came back";
    }
  }
  for (const std::string& n : listed) {
    ASSERT_TRUE(o.tables.contains(n) && o.tables.at(n).create_attempted)
        << "unknown table '" << n << "'";
  }

  // Which failed commit (if any) made it: the one the latest version
  // matches.
  const std::map<std::string, RowBatch>* extra = nullptr;
  if (latest > o.last_acked) {
    auto reader = db->NewReader(latest);
    ASSERT_TRUE(reader.ok()) << reader.status();
    for (const auto& candidate : o.candidates) {
      bool match = true;
      for (const std::string& n : listed) {
        const uint64_t created = o.tables.at(n).created_version;
        if (created > latest) continue;
        ModelTable m = ModelOf(script, o, n, created, &candidate);
        auto rows = ScanAll(**reader, n, m.schema);
        match = match && rows.ok() && SameRows(m.schema, *rows, m.At(latest));
      }
      if (match) {
        extra = &candidate;
        break;
      }
    }
    ASSERT_NE(extra, nullptr) << "version " << latest
                              << " matches no attempted commit";
  }

  // Every readable version of every table.
  const uint64_t oldest = db->OldestReadableVersion();
  ASSERT_NO_FATAL_FAILURE(
      CheckRollups(script, o, db.get(), rollups, extra, oldest, latest));
  for (const std::string& n : listed) {
    const uint64_t created = o.tables.at(n).created_version;
    ModelTable m = ModelOf(script, o, n, created, extra);
    for (uint64_t v = oldest; v <= latest; ++v) {
      SCOPED_TRACE(fmt::format("table {} at version {}", n, v));
      auto reader = db->NewReader(v);
      ASSERT_TRUE(reader.ok()) << reader.status();
      if (v < created) {
        EXPECT_EQ((*reader)->Scan(n, {}).status().code(),
                  absl::StatusCode::kNotFound);
        continue;
      }
      auto rows = ScanAll(**reader, n, m.schema);
      ASSERT_TRUE(rows.ok()) << rows.status();
      ASSERT_TRUE(SameRows(m.schema, *rows, m.At(v)));
    }
  }

  // The recovered database takes new commits and compacts.
  UpdateBatch more;
  std::mt19937_64 rng(5);
  std::map<std::string, RowBatch> sent;
  for (const std::string& n : listed) {
    auto handle = db->GetTable(n);
    ASSERT_TRUE(handle.ok()) << handle.status();
    RowSource source(rng, (*handle)->schema());
    RowBatch rows = source.Rows(rng, 5);
    DB_ASSERT_OK(more.AddRows(**handle, rows));
    sent.emplace(n, std::move(rows));
  }
  auto v = db->Commit(more);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(*v, latest + 1);
  DB_ASSERT_OK(db->CompactNow());
  // After CompactNow every rollup is back-filled and answers at the latest
  // version.
  for (const std::string& r : rollups) {
    EXPECT_TRUE((*db->GetTable(r))->ready()) << r;
  }
  std::map<uint64_t, std::map<std::string, RowBatch>> acked = o.acked;
  if (extra != nullptr) acked.emplace(latest, *extra);
  acked.emplace(*v, sent);
  Outcome after = o;
  after.acked = acked;
  after.last_acked = *v;
  ASSERT_NO_FATAL_FAILURE(
      CheckRollups(script, after, db.get(), rollups, nullptr, *v, *v));
  auto reader = db->NewReader(*v);
  ASSERT_TRUE(reader.ok()) << reader.status();
  for (const std::string& n : listed) {
    ModelTable m = ModelOf(script, o, n, o.tables.at(n).created_version, extra);
    m.AddBatch(*v, sent.at(n));
    auto rows = ScanAll(**reader, n, m.schema);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_TRUE(SameRows(m.schema, *rows, m.At(*v))) << n;
  }
  reader->reset();
  ASSERT_NO_FATAL_FAILURE(ExpectNoGarbage(db.get(), fs));
}

enum class Variant { kOnceThenPowerCut, kStickyThenPowerCut, kOnceThenRestart };

std::string VariantName(Variant v) {
  switch (v) {
    case Variant::kOnceThenPowerCut:
      return "one failed call, then a power cut";
    case Variant::kStickyThenPowerCut:
      return "every call fails from N on, then a power cut";
    case Variant::kOnceThenRestart:
      return "one failed call, then a restart without power loss";
  }
  return "";
}

void RunVariant(Variant variant) {
  const Script script = MakeScript();
  // How many mutating calls a clean run makes.
  uint64_t clean_ops = 0;
  {
    FaultInjectionFileSystem fs(NewMemFileSystem());
    Outcome o = RunScript(script, &fs);
    ASSERT_TRUE(o.completed);
    // The script exercises both kinds of compaction.
    EXPECT_GT(o.stats.cumulative_compactions, 0u);
    EXPECT_GT(o.stats.base_compactions, 0u);
    EXPECT_GT(o.stats.oldest_readable_version, 0u);
    clean_ops = fs.mutation_count();
    ASSERT_NO_FATAL_FAILURE(CheckRecovery(script, o, &fs));
  }
  uint64_t runs = 0;
  for (uint64_t n = 1;; ++n) {
    SCOPED_TRACE(fmt::format("{}: failing mutating call {} of {}",
                             VariantName(variant), n, clean_ops));
    FaultInjectionFileSystem fs(NewMemFileSystem());
    fs.FailMutation(n, variant == Variant::kStickyThenPowerCut);
    Outcome o = RunScript(script, &fs);
    const bool hit = fs.faults_injected() > 0;
    fs.ClearFaults();
    if (variant != Variant::kOnceThenRestart) {
      DB_ASSERT_OK(fs.DropUnsyncedData());
    }
    ASSERT_NO_FATAL_FAILURE(CheckRecovery(script, o, &fs));
    ++runs;
    if (!hit) {
      EXPECT_TRUE(o.completed);
      break;
    }
    ASSERT_LT(n, clean_ops + 10) << "the fault never stops being reached";
  }
  EXPECT_GE(runs, clean_ops);
  std::printf("%s: %llu crash points over %llu mutating calls\n",
              VariantName(variant).c_str(),
              static_cast<unsigned long long>(runs),
              static_cast<unsigned long long>(clean_ops));
}

TEST(CrashTest, OneFailedCallThenPowerCut) {
  RunVariant(Variant::kOnceThenPowerCut);
}

TEST(CrashTest, DiskGoneThenPowerCut) {
  RunVariant(Variant::kStickyThenPowerCut);
}

TEST(CrashTest, OneFailedCallThenRestart) {
  RunVariant(Variant::kOnceThenRestart);
}

// A second crash during recovery: the script loses power half-way, then
// the first reopen fails at each of its own mutating calls and loses
// power again; the next reopen must still find everything acknowledged.
TEST(CrashTest, CrashesDuringRecovery) {
  const Script script = MakeScript();
  uint64_t clean_ops = 0;
  {
    FaultInjectionFileSystem fs(NewMemFileSystem());
    ASSERT_TRUE(RunScript(script, &fs).completed);
    clean_ops = fs.mutation_count();
  }
  for (uint64_t first : {clean_ops / 3, clean_ops / 2, clean_ops - 5}) {
    for (uint64_t k = 1;; ++k) {
      SCOPED_TRACE(fmt::format("power cut at call {}, then at call {} of the "
                               "recovery",
                               first, k));
      FaultInjectionFileSystem fs(NewMemFileSystem());
      fs.FailMutation(first, /*sticky=*/true);
      Outcome o = RunScript(script, &fs);
      fs.ClearFaults();
      DB_ASSERT_OK(fs.DropUnsyncedData());
      const uint64_t faults_before = fs.faults_injected();
      fs.FailMutation(fs.mutation_count() + k, /*sticky=*/true);
      {
        auto db = Database::Open(CrashOptions(&fs), kDir);
        (void)db;
      }
      const bool hit = fs.faults_injected() > faults_before;
      fs.ClearFaults();
      DB_ASSERT_OK(fs.DropUnsyncedData());
      ASSERT_NO_FATAL_FAILURE(CheckRecovery(script, o, &fs));
      if (!hit) break;
      ASSERT_LT(k, 100u);
    }
  }
}

// A power cut with no fault at all, after every step of the script: the
// acknowledged state survives exactly.
TEST(CrashTest, PowerCutAfterEveryStep) {
  const Script script = MakeScript();
  for (size_t cut = 1; cut <= script.steps.size(); ++cut) {
    SCOPED_TRACE(fmt::format("power cut after step {}", cut));
    Script prefix = script;
    prefix.steps.resize(cut);
    FaultInjectionFileSystem fs(NewMemFileSystem());
    Outcome o = RunScript(prefix, &fs);
    ASSERT_TRUE(o.completed);
    DB_ASSERT_OK(fs.DropUnsyncedData());
    ASSERT_NO_FATAL_FAILURE(CheckRecovery(prefix, o, &fs));
  }
}

}  // namespace
}  // namespace mesa
