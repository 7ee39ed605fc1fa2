// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Differential test of rollups against the in-memory model: random tables,
// rollups declared with them or added later (back-filled in the background
// or by CompactNow), rollups dropped, tables dropped with their rollups,
// random commits, compactions, pinned readers and reopenings. After every
// step, at every readable version: each rollup that answers equals a
// group-by of its table's model, and GROUP BY queries on the table (which
// the planner may answer from a rollup) equal the model's answer: the same
// answer with rollups or without.
//
// MESA_TEST_SEED=<n> repeats a run; the seed is printed on failure.

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
#include "tests/db/query_model.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::testing {
namespace {

struct ModelRollup {
  std::string name;
  ModelTable* table = nullptr;
  Schema schema;  // as the database made it
  bool dropped = false;
};

// A random rollup of `schema` named `name`: some keys in a random order,
// some values that are not REPLACE (none listed means all, so at least one
// when the schema has a REPLACE value). Nullopt if no rollup is possible:
// every value is REPLACE.
std::optional<RollupSpec> RandomRollupOf(std::mt19937_64& rng,
                                         const Schema& schema,
                                         std::string name) {
  RollupSpec spec;
  spec.name = std::move(name);
  for (size_t c = 0; c < schema.num_keys(); ++c) {
    spec.key_columns.push_back(schema.column(c).name);
  }
  std::shuffle(spec.key_columns.begin(), spec.key_columns.end(), rng);
  spec.key_columns.resize(1 + rng() % spec.key_columns.size());
  if (rng() % 2) {  // often in the table's key order
    std::sort(spec.key_columns.begin(), spec.key_columns.end(),
              [&](const std::string& a, const std::string& b) {
                return *schema.FindColumn(a) < *schema.FindColumn(b);
              });
  }
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    if (schema.column(c).aggregation != Aggregation::kReplace && rng() % 4) {
      spec.value_columns.push_back(schema.column(c).name);
    }
  }
  if (spec.value_columns.empty()) {
    bool replace = false;
    for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
      if (schema.column(c).aggregation == Aggregation::kReplace) {
        replace = true;
      } else if (spec.value_columns.empty()) {
        spec.value_columns.push_back(schema.column(c).name);
      }
    }
    if (!replace) spec.value_columns.clear();  // "all", on purpose
    if (replace && spec.value_columns.empty()) return std::nullopt;
  }
  return spec;
}

class RollupHarness {
 public:
  explicit RollupHarness(uint64_t seed) : rng_(seed) {}

  void Run(int steps) {
    fs_ = NewMemFileSystem();
    options_.fs = fs_.get();
    options_.background_threads = static_cast<int>(rng_() % 2);
    options_.cumulative_threshold = 2 + rng_() % 3;
    options_.max_pending_singletons = options_.cumulative_threshold + 2;
    options_.history_versions = 4 + rng_() % 10;
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_NO_FATAL_FAILURE(CreateTable());
    for (int step = 0; step < steps; ++step) {
      SCOPED_TRACE(fmt::format("step {} (latest version {})", step,
                               db_->LatestVersion()));
      ASSERT_NO_FATAL_FAILURE(Step());
      ASSERT_NO_FATAL_FAILURE(Verify());
      if (::testing::Test::HasFailure()) return;
    }
  }
  int rollup_checks() const { return rollup_checks_; }
  int query_checks() const { return query_checks_; }

 private:
  void Open() {
    auto db = Database::Open(options_, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    std::vector<std::string> want;
    for (auto& t : tables_) {
      if (!t->dropped) want.push_back(t->name);
    }
    for (const ModelRollup& r : rollups_) {
      if (!r.dropped) want.push_back(r.name);
    }
    std::sort(want.begin(), want.end());
    ASSERT_EQ(db_->ListTables(), want);
    for (auto& t : tables_) {
      if (!t->dropped) t->handle = *db_->GetTable(t->name);
    }
  }

  void Step() {
    const int r = static_cast<int>(rng_() % 100);
    if (r < 50) {
      ASSERT_NO_FATAL_FAILURE(Commit());
    } else if (r < 60) {
      DB_ASSERT_OK(db_->CompactNow());
    } else if (r < 70) {
      ASSERT_NO_FATAL_FAILURE(AddRollup());
    } else if (r < 74) {
      DropRollup();
    } else if (r < 80) {
      pinned_.clear();
      db_.reset();
      ASSERT_NO_FATAL_FAILURE(Open());
    } else if (r < 84) {
      ASSERT_NO_FATAL_FAILURE(CreateTable());
    } else if (r < 86) {
      ASSERT_NO_FATAL_FAILURE(DropTable());
    } else if (r < 92) {
      auto reader = db_->NewReader();
      ASSERT_TRUE(reader.ok()) << reader.status();
      pinned_.push_back(std::move(*reader));
      if (pinned_.size() > 3) pinned_.erase(pinned_.begin());
    } else {
      for (int i = 0; i < 4; ++i) ASSERT_NO_FATAL_FAILURE(Commit());
    }
  }

  std::vector<ModelTable*> LiveTables() {
    std::vector<ModelTable*> out;
    for (auto& t : tables_) {
      if (!t->dropped) out.push_back(t.get());
    }
    return out;
  }

  void CreateTable() {
    if (LiveTables().size() >= 3) return;
    auto t = std::make_unique<ModelTable>();
    t->name = fmt::format("t{}", next_++);
    t->schema = RandomSchema(rng_, 4, 4);
    t->created_version = db_->LatestVersion();
    TableOptions options;
    options.delta_file.block_size = rng_() % 2 ? 128 : 4096;
    std::vector<RollupSpec> declared;
    if (rng_() % 2) {
      auto spec = RandomRollupOf(rng_, t->schema, fmt::format("r{}", next_++));
      if (spec) declared.push_back(*spec);
    }
    options.rollups = declared;
    auto handle = db_->CreateTable(t->name, t->schema, options);
    ASSERT_TRUE(handle.ok()) << handle.status();
    t->handle = *handle;
    sources_[t->name] = std::make_unique<RowSource>(rng_, t->schema);
    for (const RollupSpec& spec : declared) {
      rollups_.push_back({spec.name, t.get(),
                          (*db_->GetTable(spec.name))->schema(), false});
    }
    tables_.push_back(std::move(t));
  }

  void DropTable() {
    std::vector<ModelTable*> live = LiveTables();
    if (live.size() < 2) return;
    ModelTable* t = live[rng_() % live.size()];
    DB_ASSERT_OK(db_->DropTable(t->name));
    t->dropped = true;
    for (ModelRollup& r : rollups_) r.dropped |= r.table == t;
  }

  void AddRollup() {
    std::vector<ModelTable*> live = LiveTables();
    ModelTable* t = live[rng_() % live.size()];
    auto spec = RandomRollupOf(rng_, t->schema, fmt::format("r{}", next_++));
    if (!spec) return;
    auto handle = db_->AddRollup(t->name, *spec);
    ASSERT_TRUE(handle.ok()) << handle.status();
    EXPECT_EQ((*handle)->rollup_of(), t->name);
    rollups_.push_back({spec->name, t, (*handle)->schema(), false});
  }

  void DropRollup() {
    std::vector<ModelRollup*> live;
    for (ModelRollup& r : rollups_) {
      if (!r.dropped) live.push_back(&r);
    }
    if (live.empty()) return;
    ModelRollup* r = live[rng_() % live.size()];
    DB_EXPECT_OK(db_->DropRollup(r->name));
    r->dropped = true;
  }

  void Commit() {
    UpdateBatch batch;
    std::vector<std::pair<ModelTable*, RowBatch>> added;
    for (ModelTable* t : LiveTables()) {
      if (rng_() % 4 == 0) continue;
      RowBatch rows = sources_.at(t->name)->Rows(rng_, 1 + rng_() % 20);
      DB_ASSERT_OK(batch.AddRows(*t->handle, rows));
      added.emplace_back(t, std::move(rows));
    }
    auto v = db_->Commit(batch);
    ASSERT_TRUE(v.ok()) << v.status();
    for (auto& [t, rows] : added) t->AddBatch(*v, std::move(rows));
  }

  // The model's rows of `r` at version v: its table's, grouped.
  RowBatch ModelRollupRows(const ModelRollup& r, uint64_t v) {
    const RowBatch& parent = r.table->At(v);
    RowBatch rows(r.schema);
    for (size_t c = 0; c < r.schema.num_columns(); ++c) {
      const size_t from = *r.table->schema.FindColumn(r.schema.column(c).name);
      rows.column(c).AppendRange(parent.column(from), 0, parent.num_rows());
    }
    workload::SortAndAggregate(r.schema, &rows);
    return rows;
  }

  void Verify() {
    const uint64_t latest = db_->LatestVersion();
    const uint64_t oldest = db_->OldestReadableVersion();
    for (uint64_t v = oldest; v <= latest; ++v) {
      auto reader = db_->NewReader(v);
      if (options_.background_threads > 0 && absl::IsOutOfRange(reader.status())) {
        continue;  // a background base compaction moved the window
      }
      ASSERT_TRUE(reader.ok()) << reader.status();
      ASSERT_NO_FATAL_FAILURE(VerifyAt(**reader, v));
    }
    for (const auto& reader : pinned_) {
      ASSERT_NO_FATAL_FAILURE(VerifyAt(*reader, reader->version()));
    }
  }

  void VerifyAt(const VersionedReader& reader, uint64_t v) {
    SCOPED_TRACE(fmt::format("at version {}", v));
    for (const ModelRollup& r : rollups_) {
      if (r.dropped) continue;
      auto rows = ScanAll(reader, r.name, r.schema);
      if (!rows.ok()) {
        // Not created yet at v, being back-filled, or readable only from
        // its back-fill's version (or dropped after this reader pinned).
        ASSERT_TRUE(absl::IsNotFound(rows.status()) ||
                    absl::IsFailedPrecondition(rows.status()))
            << r.name << ": " << rows.status();
        continue;
      }
      ASSERT_TRUE(SameRows(r.schema, *rows, ModelRollupRows(r, v)))
          << "rollup " << r.name << " of " << r.table->name;
      ++rollup_checks_;
      // The same question as a GROUP BY on the table: answered from a
      // rollup or not, the answer is the model's.
      ScanSpec spec;
      spec.group_by = SpecOfSchema(r.schema).key_columns;
      for (size_t c = 0; c < r.schema.num_columns(); ++c) {
        spec.columns.push_back(r.schema.column(c).name);
      }
      // Columns in the table's key order, as the GROUP BY returns them.
      std::sort(spec.columns.begin(),
                spec.columns.begin() + r.schema.num_keys(),
                [&](const std::string& a, const std::string& b) {
                  return *r.table->schema.FindColumn(a) <
                         *r.table->schema.FindColumn(b);
                });
      const std::vector<ColumnSpec> cols =
          QueryColumns(r.table->schema, spec);
      auto got = ScanRows(reader, r.table->name, spec, cols);
      if (absl::IsNotFound(got.status())) continue;  // table dropped later
      ASSERT_TRUE(got.ok()) << got.status();
      RowBatch want = ModelQuery(r.table->schema, r.table->At(v), spec);
      ASSERT_TRUE(SameRows(cols, *got, want))
          << "GROUP BY " << r.name << "'s columns on " << r.table->name;
      ++query_checks_;
    }
  }

  static RollupSpec SpecOfSchema(const Schema& s) {
    RollupSpec spec;
    for (size_t c = 0; c < s.num_keys(); ++c) {
      spec.key_columns.push_back(s.column(c).name);
    }
    return spec;
  }

  std::mt19937_64 rng_;
  std::unique_ptr<FileSystem> fs_;
  Options options_;
  std::unique_ptr<Database> db_;
  std::vector<std::unique_ptr<ModelTable>> tables_;
  std::map<std::string, std::unique_ptr<RowSource>> sources_;
  std::vector<ModelRollup> rollups_;
  std::vector<std::unique_ptr<VersionedReader>> pinned_;
  int next_ = 0;
  int rollup_checks_ = 0, query_checks_ = 0;
};

TEST(RollupDifferentialTest, RollupsAndGroupBysMatchTheModel) {
  const uint64_t base_seed = TestSeed(4242);
  const int runs = Iterations(16, 4);
  int rollup_checks = 0, query_checks = 0;
  for (int run = 0; run < runs; ++run) {
    const uint64_t seed = base_seed + run;
    SCOPED_TRACE(fmt::format("MESA_TEST_SEED={}", seed));
    RollupHarness h(seed);
    ASSERT_NO_FATAL_FAILURE(h.Run(Iterations(150, 40)));
    rollup_checks += h.rollup_checks();
    query_checks += h.query_checks();
  }
  std::printf("%d rollup answers and %d GROUP BY answers checked\n",
              rollup_checks, query_checks);
  EXPECT_GT(rollup_checks, 100);
  EXPECT_GT(query_checks, 100);
}

}  // namespace
}  // namespace mesa::testing
