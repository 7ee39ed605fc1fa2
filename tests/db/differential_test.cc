// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Differential test of Database against a simple in-memory model: random
// schemas, random batches (repeated keys, negative sums), commits touching
// one or several tables, compactions, pinned readers held across later
// commits and compactions, table drops and re-creations, and reopenings.
// After every step every readable version is checked: full scans, prefix
// and range scans with projections, point gets (hits and misses), the
// OutOfRange / InvalidArgument bounds and, where no reader pins an old
// Version, that no garbage file is left in the directory.
//
// MESA_TEST_SEED=<n> repeats a run; the seed is printed on failure.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/database.h"
#include "mesa/file_system.h"
#include "tests/db/db_test_util.h"
#include "tests/db/query_model.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using testing::CellValue;
using testing::IdenticalRows;
using testing::Iterations;
using testing::ModelTable;
using testing::RowSource;
using testing::SameRows;
using testing::ScanAll;
using testing::ScanRows;

// A reader pinned at some version, with what it answered first.
struct Pinned {
  std::unique_ptr<VersionedReader> reader;
  uint64_t version = 0;
  std::map<std::string, RowBatch> first;  // by table name
  std::vector<std::pair<std::string, const ModelTable*>> tables;
};

class Harness {
 public:
  explicit Harness(uint64_t seed) : seed_(seed), rng_(seed) {}

  void Run(int steps);
  uint64_t operations() const { return operations_; }
  uint64_t queries() const { return queries_; }
  uint64_t nonempty_queries() const { return nonempty_queries_; }
  uint64_t resumes() const { return resumes_; }
  uint64_t rollup_reads() const { return rollup_reads_; }

 private:
  Options RandomOptions();
  void Open();
  void Close();
  void Step();
  void Commit();
  void CreateTable();
  void DropTable();
  void Pin();
  void CheckChecksum();
  void Verify();
  void VerifyVersion(uint64_t v, bool deep);
  void VerifyRangeScans(const VersionedReader& reader, const ModelTable& t,
                        uint64_t v);
  void VerifyGets(const VersionedReader& reader, const ModelTable& t,
                  uint64_t v);
  ScanSpec RandomQuery(const ModelTable& t, uint64_t v);
  void VerifyQuery(const VersionedReader& reader, const ModelTable& t,
                   uint64_t v);
  void VerifyPinned();
  void VerifyNoGarbage();

  std::vector<ModelTable*> LiveTables() {
    std::vector<ModelTable*> out;
    for (auto& t : tables_) {
      if (!t->dropped) out.push_back(t.get());
    }
    return out;
  }
  // Whether `s` is the OutOfRange of a version that a background base
  // compaction folded away after the test chose it.
  bool RacedWithCompaction(const absl::Status& s, uint64_t v) const {
    return options_.background_threads > 0 && absl::IsOutOfRange(s) &&
           v < db_->OldestReadableVersion();
  }
  const RowSource& SourceOf(const ModelTable& t) {
    return *sources_.at(t.name);
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  std::unique_ptr<FileSystem> mem_fs_;
  std::string dir_;
  Options options_;
  std::unique_ptr<Database> db_;
  std::vector<std::unique_ptr<ModelTable>> tables_;
  std::map<std::string, std::unique_ptr<RowSource>> sources_;
  // Rollups declared with each table (scans may read them instead).
  std::map<std::string, std::vector<std::string>> rollups_;
  std::vector<Pinned> pinned_;
  // Checksum(table, version) as first computed: it must never change.
  std::map<std::pair<std::string, uint64_t>, uint64_t> checksums_;
  uint64_t latest_ = 0;
  uint64_t last_oldest_ = 0;
  // The clock every commit is stamped by, and each version's time.
  testing::ManualClock clock_{1700000000000000};
  std::map<uint64_t, uint64_t> commit_micros_;
  uint64_t max_clock_ = 0;  // the latest time a compaction may have seen
  int next_table_ = 0;
  uint64_t operations_ = 0;
  uint64_t queries_ = 0, nonempty_queries_ = 0, resumes_ = 0;
  uint64_t rollup_reads_ = 0;
};

Options Harness::RandomOptions() {
  Options o;
  o.fs = mem_fs_ != nullptr ? mem_fs_.get() : nullptr;
  o.cumulative_threshold = 2 + rng_() % 4;
  o.history_versions = 3 + rng_() % 18;
  o.max_pending_singletons = o.cumulative_threshold + rng_() % 3;
  o.background_threads = static_cast<int>(rng_() % 2);
  o.block_cache_bytes = rng_() % 2 ? 0 : size_t{1} << 20;
  o.clock = &clock_;
  // Half the time a time window too, of 0..19 minutes (commits advance
  // the clock by up to two minutes).
  if (rng_() % 2) o.history_time = absl::Minutes(static_cast<int64_t>(rng_() % 20));
  return o;
}

void Harness::Open() {
  auto db = Database::Open(options_, dir_);
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = std::move(*db);
  ASSERT_EQ(db_->LatestVersion(), latest_);
  // A background compaction under the previous options may have raised the
  // oldest version after the last check.
  ASSERT_GE(db_->OldestReadableVersion(), last_oldest_);
  last_oldest_ = db_->OldestReadableVersion();
  std::vector<std::string> want;
  for (ModelTable* t : LiveTables()) {
    want.push_back(t->name);
    for (const std::string& r : rollups_[t->name]) want.push_back(r);
  }
  std::sort(want.begin(), want.end());
  ASSERT_EQ(db_->ListTables(), want);
  // Table handles from before the reopen stay valid as values: refresh
  // them anyway, as an application would.
  for (ModelTable* t : LiveTables()) {
    auto handle = db_->GetTable(t->name);
    ASSERT_TRUE(handle.ok()) << handle.status();
    ASSERT_EQ((*handle)->id(), t->handle->id());
    ASSERT_TRUE((*handle)->schema() == t->schema);
    t->handle = *handle;
  }
}

void Harness::Close() {
  pinned_.clear();  // readers do not outlive their Database
  db_.reset();
}

void Harness::Run(int steps) {
  if (seed_ % 16 == 7) {
    dir_ = testing::NewTempDir("differential");
  } else {
    mem_fs_ = NewMemFileSystem();
    dir_ = "/db";
  }
  options_ = RandomOptions();
  ASSERT_NO_FATAL_FAILURE(Open());
  const int initial = 1 + static_cast<int>(rng_() % 3);
  for (int i = 0; i < initial; ++i) ASSERT_NO_FATAL_FAILURE(CreateTable());
  for (int step = 0; step < steps; ++step) {
    SCOPED_TRACE(fmt::format("step {} (latest version {})", step, latest_));
    ASSERT_NO_FATAL_FAILURE(Step());
    ++operations_;
    ASSERT_NO_FATAL_FAILURE(Verify());
    if (::testing::Test::HasFailure()) return;
  }
  Close();
}

void Harness::Step() {
  const int r = static_cast<int>(rng_() % 100);
  if (r < 55) {
    Commit();
  } else if (r < 65) {
    DB_ASSERT_OK(db_->CompactNow());
  } else if (r < 75) {
    Pin();
  } else if (r < 80) {
    if (!pinned_.empty()) pinned_.erase(pinned_.begin() + rng_() % pinned_.size());
  } else if (r < 85) {
    CheckChecksum();
  } else if (r < 88) {
    Close();
    if (rng_() % 2) options_ = RandomOptions();
    Open();
  } else if (r < 91) {
    if (LiveTables().size() < 3) CreateTable();
  } else if (r < 92) {
    if (LiveTables().size() > 1) DropTable();
  } else {
    // Several commits in a row: enough singletons for compactions.
    for (int i = 0; i < 4; ++i) ASSERT_NO_FATAL_FAILURE(Commit());
  }
}

void Harness::CreateTable() {
  const std::string name = fmt::format("t{}", next_table_++);
  Schema schema = rng_() % 4 == 0 ? testing::KitchenSinkSchema()
                                  : testing::RandomSchema(rng_, 3, 4);
  TableOptions topts;
  const size_t blocks[] = {64, 200, 4096, 64 * 1024};
  topts.delta_file.block_size = blocks[rng_() % 4];
  topts.delta_file.codec = static_cast<Codec>(rng_() % 3);
  topts.delta_file.short_key_length = 1 + rng_() % 40;
  topts.delta_file.bloom_bits_per_key = rng_() % 3 == 0 ? 10 : 0;
  // Rollups: random key subsets in random orders, random values (no
  // REPLACE column can be rolled up).
  std::vector<std::string> values;
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    if (schema.column(c).aggregation != Aggregation::kReplace) {
      values.push_back(schema.column(c).name);
    }
  }
  const int rollups = values.empty() ? 0 : static_cast<int>(rng_() % 3);
  for (int i = 0; i < rollups; ++i) {
    RollupSpec r;
    r.name = fmt::format("{}_r{}", name, i);
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      r.key_columns.push_back(schema.column(c).name);
    }
    if (rng_() % 2) std::shuffle(r.key_columns.begin(), r.key_columns.end(), rng_);
    r.key_columns.resize(1 + rng_() % r.key_columns.size());
    r.value_columns = values;
    std::shuffle(r.value_columns.begin(), r.value_columns.end(), rng_);
    r.value_columns.resize(1 + rng_() % r.value_columns.size());
    rollups_[name].push_back(r.name);
    topts.rollups.push_back(std::move(r));
  }
  auto handle = db_->CreateTable(name, schema, topts);
  ASSERT_TRUE(handle.ok()) << handle.status();
  auto t = std::make_unique<ModelTable>();
  t->name = name;
  t->schema = schema;
  t->handle = *handle;
  t->created_version = latest_;
  sources_[name] = std::make_unique<RowSource>(rng_, schema);
  tables_.push_back(std::move(t));
}

void Harness::DropTable() {
  std::vector<ModelTable*> live = LiveTables();
  ModelTable* t = live[rng_() % live.size()];
  DB_ASSERT_OK(db_->DropTable(t->name));
  t->dropped = true;
  rollups_.erase(t->name);
  for (auto it = checksums_.begin(); it != checksums_.end();) {
    it = it->first.first == t->name ? checksums_.erase(it) : std::next(it);
  }
}

void Harness::Commit() {
  UpdateBatch batch;
  std::vector<std::pair<ModelTable*, RowBatch>> added;
  for (ModelTable* t : LiveTables()) {
    if (rng_() % 10 < 4) continue;
    const size_t n = rng_() % 5 == 0 ? 0 : 1 + rng_() % 30;
    RowBatch rows = SourceOf(*t).Rows(rng_, n);
    if (rng_() % 2) {
      DB_ASSERT_OK(batch.AddRows(*t->handle, rows));  // n may be 0
    } else {
      for (size_t r = 0; r < rows.num_rows(); ++r) {
        std::vector<Value> values;
        for (size_t c = 0; c < rows.num_columns(); ++c) {
          values.push_back(CellValue(rows.column(c), r));
        }
        DB_ASSERT_OK(batch.AddRow(*t->handle, values));
      }
    }
    if (n > 0) added.emplace_back(t, std::move(rows));
  }
  // Time moves on, now and then backwards (versions' times do not).
  if (rng_() % 8 == 0) {
    clock_.Advance(-absl::Seconds(static_cast<int64_t>(rng_() % 60)));
  } else {
    clock_.Advance(absl::Seconds(static_cast<int64_t>(rng_() % 120)));
  }
  max_clock_ = std::max(max_clock_, clock_.NowMicros());
  const uint64_t stamp =
      std::max(clock_.NowMicros(),
               commit_micros_.empty() ? 0 : commit_micros_.rbegin()->second);
  auto v = db_->Commit(batch);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(*v, latest_ + 1);
  latest_ = *v;
  commit_micros_[latest_] = stamp;
  for (auto& [t, rows] : added) t->AddBatch(latest_, std::move(rows));
  // Back-pressure keeps the singletons above the newest cumulative at or
  // below the limit (with no background thread, compaction runs inline).
  if (options_.background_threads == 0) {
    DatabaseStats stats = db_->Stats();
    for (const TableStats& ts : stats.tables) {
      // Only the tables this commit touched had to make room (a reopen
      // may have lowered the limit below what others hold).
      bool touched = false;
      for (const auto& [id, entry] : batch.tables()) {
        touched = touched || entry.table->name() == ts.name;
      }
      if (!touched) continue;
      uint64_t covered = 0;
      for (const DeltaStats& d : ts.deltas) {
        if (d.min_version != d.max_version || d.min_version == 0) {
          covered = std::max(covered, d.max_version);
        }
      }
      size_t pending = 0;
      for (const DeltaStats& d : ts.deltas) {
        pending += d.min_version == d.max_version && d.min_version > covered;
      }
      std::string layout;
      for (const DeltaStats& d : ts.deltas) {
        layout += fmt::format(" [{},{}]#{}", d.min_version, d.max_version,
                              d.file_number);
      }
      EXPECT_LE(pending, options_.max_pending_singletons)
          << ts.name << " deltas:" << layout << " (cumulative threshold "
          << options_.cumulative_threshold << ")";
    }
  }
}

void Harness::Pin() {
  const uint64_t oldest = db_->OldestReadableVersion();
  Pinned p;
  if (rng_() % 2) {
    auto reader = db_->NewReader();
    ASSERT_TRUE(reader.ok()) << reader.status();
    p.reader = std::move(*reader);
    ASSERT_EQ(p.reader->version(), latest_);
  } else {
    const uint64_t v = oldest + rng_() % (latest_ - oldest + 1);
    auto reader = db_->NewReader(v);
    if (RacedWithCompaction(reader.status(), v)) return;
    ASSERT_TRUE(reader.ok()) << reader.status();
    p.reader = std::move(*reader);
    ASSERT_EQ(p.reader->version(), v);
  }
  p.version = p.reader->version();
  for (ModelTable* t : LiveTables()) {
    if (t->created_version > p.version) continue;
    auto rows = ScanAll(*p.reader, t->name, t->schema);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_TRUE(SameRows(t->schema, *rows, t->At(p.version)))
        << "pinned read of " << t->name << " at " << p.version;
    p.first.emplace(t->name, std::move(*rows));
    p.tables.emplace_back(t->name, t);
  }
  pinned_.push_back(std::move(p));
  if (pinned_.size() > 4) pinned_.erase(pinned_.begin());
}

void Harness::CheckChecksum() {
  std::vector<ModelTable*> live = LiveTables();
  if (live.empty()) return;
  ModelTable* t = live[rng_() % live.size()];
  const uint64_t oldest = db_->OldestReadableVersion();
  const uint64_t lo = std::max(oldest, t->created_version);
  if (lo > latest_) return;
  const uint64_t v = lo + rng_() % (latest_ - lo + 1);
  auto sum = db_->Checksum(t->name, v);
  if (RacedWithCompaction(sum.status(), v)) return;
  ASSERT_TRUE(sum.ok()) << sum.status();
  auto [it, inserted] = checksums_.emplace(std::make_pair(t->name, v), *sum);
  EXPECT_EQ(it->second, *sum) << "Checksum of " << t->name << " at " << v
                              << " changed with the delta layout";
  // A different version with different rows has a different digest.
  if (v > lo) {
    const RowBatch& a = t->At(v);
    const RowBatch& b = t->At(v - 1);
    if (!IdenticalRows(a, b)) {
      auto other = db_->Checksum(t->name, v - 1);
      if (RacedWithCompaction(other.status(), v - 1)) return;
      ASSERT_TRUE(other.ok()) << other.status();
      EXPECT_NE(*other, *sum) << t->name << " at " << v - 1 << " and " << v;
    }
  }
}

void Harness::Verify() {
  ASSERT_EQ(db_->LatestVersion(), latest_);
  const uint64_t oldest = db_->OldestReadableVersion();
  ASSERT_LE(oldest, latest_);
  // The newest history_versions versions stay readable: a compaction that
  // raised the oldest version (under the current options) kept them.
  ASSERT_GE(oldest, last_oldest_);
  if (oldest > last_oldest_) {
    ASSERT_GE(latest_ + 1, options_.history_versions);
    ASSERT_LE(oldest, latest_ + 1 - options_.history_versions);
    // And every version that was the latest within history_time.
    if (options_.history_time > absl::ZeroDuration()) {
      const uint64_t window =
          static_cast<uint64_t>(absl::ToInt64Microseconds(options_.history_time));
      // The clock steps back now and then: a compaction may have read it
      // at its latest.
      const uint64_t cutoff = max_clock_ > window ? max_clock_ - window : 0;
      uint64_t latest_at_cutoff = 0;
      for (const auto& [version, micros] : commit_micros_) {
        if (micros <= cutoff) latest_at_cutoff = version;
      }
      ASSERT_LE(oldest, latest_at_cutoff)
          << "history_time " << absl::FormatDuration(options_.history_time);
    }
  }
  last_oldest_ = oldest;
  // Every readable version's commit time is the one it was stamped with.
  if (latest_ > 0) {
    const uint64_t v = std::max<uint64_t>(oldest, 1) +
                       rng_() % (latest_ - std::max<uint64_t>(oldest, 1) + 1);
    auto when = db_->CommitTime(v);
    // (A background base compaction may fold v after the test chose it.)
    const bool raced = options_.background_threads > 0 &&
                       v < db_->OldestReadableVersion();
    if (!raced) {
      ASSERT_TRUE(when.ok()) << "version " << v << ": " << when.status();
      ASSERT_EQ(static_cast<uint64_t>(absl::ToUnixMicros(*when)),
                commit_micros_.at(v))
          << "version " << v;
      auto at = db_->VersionAt(*when);
      ASSERT_TRUE(at.ok() || RacedWithCompaction(at.status(), v))
          << at.status();
      if (at.ok()) {
        // The newest version with the same time.
        ASSERT_GE(*at, v);
        ASSERT_EQ(commit_micros_.at(*at), commit_micros_.at(v));
      }
    }
  }
  {
    auto future = db_->NewReader(latest_ + 1);
    ASSERT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument)
        << future.status();
  }
  if (oldest > 0) {
    auto old = db_->NewReader(oldest - 1);
    ASSERT_EQ(old.status().code(), absl::StatusCode::kOutOfRange)
        << old.status();
    // The message names the oldest readable version (which a background
    // compaction may have raised meanwhile).
    const std::string msg = testing::Message(old.status());
    const std::string_view kNames = "the oldest readable version is ";
    const size_t at = msg.find(kNames);
    ASSERT_NE(at, std::string::npos) << msg;
    const uint64_t named = std::strtoull(msg.c_str() + at + kNames.size(),
                                         nullptr, 10);
    EXPECT_GE(named, oldest) << msg;
    EXPECT_LE(named, db_->OldestReadableVersion()) << msg;
  }
  // Every readable version: full scans. A few: range scans and gets.
  const uint64_t span = latest_ - oldest + 1;
  const uint64_t deep1 = oldest + rng_() % span;
  for (uint64_t v = oldest; v <= latest_; ++v) {
    ASSERT_NO_FATAL_FAILURE(VerifyVersion(v, v == latest_ || v == deep1));
  }
  for (auto& t : tables_) t->Forget(oldest);
  ASSERT_NO_FATAL_FAILURE(VerifyPinned());
  if (options_.background_threads == 0 && pinned_.empty()) {
    ASSERT_NO_FATAL_FAILURE(VerifyNoGarbage());
  }
}

void Harness::VerifyVersion(uint64_t v, bool deep) {
  SCOPED_TRACE(fmt::format("version {}", v));
  auto reader = db_->NewReader(v);
  if (RacedWithCompaction(reader.status(), v)) return;
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ((*reader)->version(), v);
  for (auto& t : tables_) {
    SCOPED_TRACE(fmt::format("table {} {}", t->name, t->schema.DebugString()));
    if (t->dropped || t->created_version > v) {
      auto scan = (*reader)->Scan(t->name, {});
      EXPECT_EQ(scan.status().code(), absl::StatusCode::kNotFound)
          << scan.status();
      continue;
    }
    auto rows = ScanAll(**reader, t->name, t->schema);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_TRUE(SameRows(t->schema, *rows, t->At(v)));
    // Filters, GROUP BY and resume tokens at every readable version.
    for (int q = 0; q < (deep ? 3 : 1); ++q) {
      ASSERT_NO_FATAL_FAILURE(VerifyQuery(**reader, *t, v));
    }
    if (deep) {
      ASSERT_NO_FATAL_FAILURE(VerifyRangeScans(**reader, *t, v));
      ASSERT_NO_FATAL_FAILURE(VerifyGets(**reader, *t, v));
    }
  }
}

void Harness::VerifyRangeScans(const VersionedReader& reader,
                               const ModelTable& t, uint64_t v) {
  const Schema& schema = t.schema;
  const RowBatch& model = t.At(v);
  const RowSource& source = SourceOf(t);
  for (int i = 0; i < 3; ++i) {
    ScanSpec spec;
    const size_t p = rng_() % (schema.num_keys() + 1);
    std::vector<ColumnVector> prefix;
    // The prefix of a row that exists, or values from the key pools.
    const bool from_row = model.num_rows() > 0 && rng_() % 2;
    const size_t row = from_row ? rng_() % model.num_rows() : 0;
    for (size_t c = 0; c < p; ++c) {
      const ColumnVector& src = from_row ? model.column(c) : source.pool(c);
      const size_t at = from_row ? row : rng_() % src.size();
      ColumnVector one(schema.column(c).type);
      one.AppendFrom(src, at);
      spec.key_prefix.push_back(CellValue(one, 0));
      prefix.push_back(std::move(one));
    }
    std::optional<ColumnVector> lower, upper;
    if (p < schema.num_keys()) {
      const ColumnVector& pool = source.pool(p);
      if (rng_() % 2) {
        lower.emplace(schema.column(p).type);
        lower->AppendFrom(pool, rng_() % pool.size());
        spec.lower = CellValue(*lower, 0);
        spec.lower_inclusive = rng_() % 2;
      }
      if (rng_() % 2) {
        upper.emplace(schema.column(p).type);
        upper->AppendFrom(pool, rng_() % pool.size());
        spec.upper = CellValue(*upper, 0);
        spec.upper_inclusive = rng_() % 2;
      }
    }
    // A projection: some columns in some order, or every column.
    if (rng_() % 3 != 0) {
      std::vector<std::string> names;
      for (const ColumnSpec& c : schema.columns()) names.push_back(c.name);
      std::shuffle(names.begin(), names.end(), rng_);
      names.resize(1 + rng_() % names.size());
      if (rng_() % 4 == 0) names.push_back(names[rng_() % names.size()]);
      spec.columns = names;
    }
    spec.batch_rows = rng_() % 2 ? 1 + rng_() % 7 : 1024;
    const std::vector<ColumnSpec> cols =
        testing::ProjectedColumns(schema, spec.columns);
    SCOPED_TRACE(fmt::format("scan: prefix {} values, lower {} upper {}, {} "
                             "columns, batches of {}",
                             p, spec.lower.has_value(), spec.upper.has_value(),
                             spec.columns.size(), spec.batch_rows));
    auto got = ScanRows(reader, t.name, spec, cols);
    ASSERT_TRUE(got.ok()) << got.status();
    RowBatch want = testing::ModelScan(schema, model, prefix, lower,
                                       spec.lower_inclusive, upper,
                                       spec.upper_inclusive, spec.columns);
    ASSERT_TRUE(SameRows(cols, *got, want));
  }
}

ScanSpec Harness::RandomQuery(const ModelTable& t, uint64_t v) {
  const Schema& schema = t.schema;
  const RowBatch& model = t.At(v);
  const RowSource& source = SourceOf(t);
  ScanSpec spec;
  // A value of column c: from a row of the model (so filters match
  // something) or, for keys, from the key pool.
  auto value_of = [&](size_t c) -> std::optional<Value> {
    if (model.num_rows() > 0 && (c >= schema.num_keys() || rng_() % 2)) {
      return CellValue(model.column(c), rng_() % model.num_rows());
    }
    if (c < schema.num_keys()) {
      const ColumnVector& pool = source.pool(c);
      return CellValue(pool, rng_() % pool.size());
    }
    return std::nullopt;
  };
  const int filters = static_cast<int>(rng_() % 4);
  for (int i = 0; i < filters; ++i) {
    // Mostly key columns, often not the first (skip-scans).
    const size_t c = rng_() % 3 ? rng_() % schema.num_keys()
                                : rng_() % schema.num_columns();
    Filter f;
    f.column = schema.column(c).name;
    f.op = static_cast<FilterOp>(rng_() % 7);
    const size_t n = f.op == FilterOp::kIn ? 1 + rng_() % 3 : 1;
    for (size_t j = 0; j < n; ++j) {
      auto value = value_of(c);
      if (!value) break;
      f.values.push_back(*value);
    }
    if (f.values.size() == n) spec.filters.push_back(std::move(f));
  }
  if (rng_() % 2) {
    std::vector<std::string> keys;
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      keys.push_back(schema.column(c).name);
    }
    // Often a key prefix (streaming), else any subset in any order.
    if (rng_() % 2) {
      keys.resize(1 + rng_() % keys.size());
    } else {
      std::shuffle(keys.begin(), keys.end(), rng_);
      keys.resize(1 + rng_() % keys.size());
    }
    spec.group_by = keys;
  }
  const bool all_keys = spec.group_by.size() == schema.num_keys();
  std::vector<std::string> allowed;
  bool has_replace = false;
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    const ColumnSpec& col = schema.column(c);
    if (!spec.group_by.empty()) {
      if (col.aggregation == Aggregation::kReplace && !all_keys) {
        has_replace = true;
        continue;
      }
      if (c < schema.num_keys() &&
          std::find(spec.group_by.begin(), spec.group_by.end(), col.name) ==
              spec.group_by.end()) {
        continue;
      }
    }
    allowed.push_back(col.name);
  }
  if (rng_() % 3 != 0 || has_replace) {
    std::shuffle(allowed.begin(), allowed.end(), rng_);
    allowed.resize(1 + rng_() % allowed.size());
    spec.columns = allowed;
  }
  spec.batch_rows = rng_() % 2 ? 1 + rng_() % 7 : 1024;
  spec.allow_skip_scan = rng_() % 4 != 0;
  spec.use_rollups = rng_() % 4 != 0;  // same answer either way
  return spec;
}

void Harness::VerifyQuery(const VersionedReader& reader, const ModelTable& t,
                          uint64_t v) {
  const ScanSpec spec = RandomQuery(t, v);
  std::string what = fmt::format("{} filters:", spec.filters.size());
  for (const Filter& f : spec.filters) {
    what += fmt::format(" {} op{} {}", f.column, static_cast<int>(f.op),
                        f.values.size() == 1 ? f.values[0].DebugString()
                                             : fmt::format("({} values)",
                                                           f.values.size()));
  }
  what += fmt::format("; group by {}; {} columns; batches of {}; seek {}",
                      fmt::join(spec.group_by, ","), spec.columns.size(),
                      spec.batch_rows, spec.allow_skip_scan);
  SCOPED_TRACE(what);
  const std::vector<ColumnSpec> cols = testing::QueryColumns(t.schema, spec);
  const RowBatch want = testing::ModelQuery(t.schema, t.At(v), spec);
  auto scan = reader.Scan(t.name, spec);
  ASSERT_TRUE(scan.ok()) << scan.status();
  RowBatch got(testing::TypesOf(cols));
  std::unique_ptr<ScanCursor> cursor = std::move(*scan);
  // Keep the readers that resumed scans alive while their cursors run.
  std::vector<std::unique_ptr<VersionedReader>> resumed;
  int resumes = 0;
  while (cursor->Next()) {
    const RowBatch& b = cursor->batch();
    ASSERT_EQ(b.num_columns(), cols.size());
    for (size_t c = 0; c < cols.size(); ++c) {
      ASSERT_EQ(b.column(c).type(), cols[c].type)
          << "column " << c << " of " << cursor->Explain().ToString();
    }
    got.AppendRows(b, 0, b.num_rows());
    const ScanExplain e = cursor->Explain();
    ASSERT_LE(e.rows_returned, e.rows_merged)
        << e.ToString();
    if (rng_() % 3 == 0 && resumes < 4) {
      // Hand the scan over to a new reader at the same version.
      auto token = cursor->ResumeToken();
      ASSERT_TRUE(token.ok()) << token.status();
      auto next = db_->NewReader(v);
      if (RacedWithCompaction(next.status(), v)) continue;
      ASSERT_TRUE(next.ok()) << next.status();
      ScanSpec rest = spec;
      rest.resume_token = *token;
      rest.batch_rows = 1 + rng_() % 9;
      auto resumed_scan = (*next)->Scan(t.name, rest);
      ASSERT_TRUE(resumed_scan.ok()) << resumed_scan.status();
      cursor = std::move(*resumed_scan);
      resumed.push_back(std::move(*next));
      ++resumes;
    }
  }
  ASSERT_TRUE(cursor->status().ok()) << cursor->status();
  ASSERT_TRUE(SameRows(cols, got, want)) << "after " << resumes << " resumes";
  ++queries_;
  rollup_reads_ += cursor->Explain().from_rollup;
  nonempty_queries_ += want.num_rows() > 0;
  resumes_ += resumes;
}

void Harness::VerifyGets(const VersionedReader& reader, const ModelTable& t,
                         uint64_t v) {
  const Schema& schema = t.schema;
  const RowBatch& model = t.At(v);
  for (int i = 0; i < 3 && model.num_rows() > 0; ++i) {
    const size_t row = rng_() % model.num_rows();
    std::vector<Value> key;
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      key.push_back(CellValue(model.column(c), row));
    }
    auto got = reader.Get(t.name, key);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value()) << "Get missed " << testing::RowToString(model, row);
    RowBatch want(schema);
    want.AppendRow(model, row);
    ASSERT_TRUE(SameRows(schema, **got, want));
  }
  for (int i = 0; i < 2; ++i) {
    std::vector<Value> key = SourceOf(t).MissKey(rng_);
    RowBatch key_row(schema);
    bool ok = true;
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      ok = ok && key[c].AppendTo(&key_row.column(c)).ok();
    }
    ASSERT_TRUE(ok);
    std::optional<size_t> present;
    for (size_t r = 0; r < model.num_rows() && !present; ++r) {
      bool eq = true;
      for (size_t c = 0; c < schema.num_keys() && eq; ++c) {
        eq = CompareValues(model.column(c), r, key_row.column(c), 0) == 0;
      }
      if (eq) present = r;
    }
    auto got = reader.Get(t.name, key);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->has_value(), present.has_value());
    if (present) {
      RowBatch want(schema);
      want.AppendRow(model, *present);
      ASSERT_TRUE(SameRows(schema, **got, want));
    }
  }
}

void Harness::VerifyPinned() {
  for (const Pinned& p : pinned_) {
    SCOPED_TRACE(fmt::format("reader pinned at version {}", p.version));
    for (const auto& [name, t] : p.tables) {
      auto rows = ScanAll(*p.reader, name, t->schema);
      ASSERT_TRUE(rows.ok()) << name << ": " << rows.status();
      ASSERT_TRUE(IdenticalRows(*rows, p.first.at(name))) << name;
    }
  }
}

void Harness::VerifyNoGarbage() {
  FileSystem* fs = options_.fs != nullptr ? options_.fs : DefaultFileSystem();
  auto names = fs->GetChildren(dir_);
  ASSERT_TRUE(names.ok()) << names.status();
  std::vector<std::string> live;
  for (const TableStats& t : db_->Stats().tables) {
    for (const DeltaStats& d : t.deltas) {
      live.push_back(fmt::format("{}.delta", d.file_number));
    }
  }
  std::sort(live.begin(), live.end());
  std::vector<std::string> deltas;
  for (const std::string& n : *names) {
    EXPECT_EQ(n.find(".tmp"), std::string::npos) << "left over: " << n;
    if (n.size() > 6 && n.substr(n.size() - 6) == ".delta") deltas.push_back(n);
  }
  std::sort(deltas.begin(), deltas.end());
  EXPECT_EQ(deltas, live) << "delta files in the directory vs live deltas";
}

TEST(DifferentialTest, RandomWorkloadsMatchTheModel) {
  const uint64_t base = testing::TestSeed(20260501);
  const int databases = Iterations(16, 6);
  const int steps = Iterations(220, 150);
  uint64_t operations = 0, queries = 0, nonempty = 0, resumes = 0;
  uint64_t rollup_reads = 0;
  for (int i = 0; i < databases; ++i) {
    const uint64_t seed = base + static_cast<uint64_t>(i);
    SCOPED_TRACE(fmt::format("seed {} (MESA_TEST_SEED={} repeats the run "
                             "from here)",
                             seed, seed));
    Harness h(seed);  // one in 16 runs on POSIX, with fewer steps
    const auto start = std::chrono::steady_clock::now();
    h.Run(seed % 16 == 7 ? steps / 4 : steps);
    if (std::getenv("MESA_DIFF_TIMING") != nullptr) {
      std::printf("seed %llu: %.0f ms\n", static_cast<unsigned long long>(seed),
                  std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count());
    }
    operations += h.operations();
    queries += h.queries();
    nonempty += h.nonempty_queries();
    resumes += h.resumes();
    rollup_reads += h.rollup_reads();
    if (HasFailure()) {
      ADD_FAILURE() << "failed with seed " << seed;
      return;
    }
  }
  RecordProperty("operations", static_cast<int>(operations));
  std::printf("differential: %d databases, %llu operations, %llu queries "
              "(%llu non-empty, %llu resumed scans, %llu read a rollup)\n",
              databases, static_cast<unsigned long long>(operations),
              static_cast<unsigned long long>(queries),
              static_cast<unsigned long long>(nonempty),
              static_cast<unsigned long long>(resumes),
              static_cast<unsigned long long>(rollup_reads));
}

}  // namespace
}  // namespace mesa
