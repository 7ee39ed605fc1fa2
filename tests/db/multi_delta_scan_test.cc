// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Scans over several deltas whose keys interleave (every commit spans the
// key space, nothing compacted), long enough that the read merge goes by
// windows (merge/merge_window.h) past its first rows: full scans, value
// projections, key ranges, value filters and resumed scans on random
// schemas with every type and aggregation, against the model.
//
// MESA_TEST_SEED=<n> repeats a run; the seed is printed on failure.

#include <cmath>
#include <limits>
#include <random>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"
#include "tests/db/query_model.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::testing {
namespace {

// Rows whose keys come from per-column pools sized so that the table has
// tens of thousands of possible keys: commits share some, not most.
class WideRowSource {
 public:
  WideRowSource(std::mt19937_64& rng, const Schema& schema) : schema_(schema) {
    const double per_column = std::pow(
        30000.0, 1.0 / static_cast<double>(schema.num_keys()));
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      ColumnVector pool(schema.column(c).type);
      const size_t n = 4 + static_cast<size_t>(per_column);
      for (size_t i = 0; i < n; ++i) {
        AppendRandomValue(rng, Distribution::kRandom, i, &pool);
      }
      pools_.push_back(std::move(pool));
    }
  }

  RowBatch Rows(std::mt19937_64& rng, size_t n) const {
    RowBatch out(schema_);
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < schema_.num_keys(); ++c) {
        out.column(c).AppendFrom(pools_[c], rng() % pools_[c].size());
      }
      for (size_t c = schema_.num_keys(); c < schema_.num_columns(); ++c) {
        AppendValue(rng, schema_.column(c), &out.column(c));
      }
    }
    return out;
  }

  const ColumnVector& pool(size_t c) const { return pools_[c]; }

 private:
  // SUMs exact in any grouping (small integers, which may be negative, and
  // quarters or infinities as doubles), so the merge and the model agree
  // bit for bit; the other aggregations take any value.
  static void AppendValue(std::mt19937_64& rng, const ColumnSpec& spec,
                          ColumnVector* col) {
    if (spec.aggregation != Aggregation::kSum) {
      AppendRandomValue(rng, Distribution::kRandom, rng() % 100, col);
      return;
    }
    const int64_t v = static_cast<int64_t>(rng() % 2001) - 1000;
    switch (spec.type) {
      case ColumnType::kDouble: {
        double d = static_cast<double>(v) / 4.0;
        if (rng() % 64 == 0) {
          d = rng() % 2 ? std::numeric_limits<double>::infinity()
                        : -std::numeric_limits<double>::infinity();
        }
        col->AppendDouble(d);
        return;
      }
      case ColumnType::kInt32:
        col->AppendInt32(static_cast<int32_t>(v));
        return;
      default:
        col->AppendWord(static_cast<uint64_t>(v));
        return;
    }
  }

  Schema schema_;
  std::vector<ColumnVector> pools_;
};

// Every row of `spec`'s scan, resumed by token after about `hop` rows.
absl::StatusOr<RowBatch> ScanResumed(Database& db, const ScanSpec& spec,
                                     const std::vector<ColumnSpec>& cols,
                                     size_t hop, int* hops) {
  RowBatch out(TypesOf(cols));
  std::string token;
  while (true) {
    ScanSpec s = spec;
    s.resume_token = token;
    auto reader = db.NewReader();
    if (!reader.ok()) return reader.status();
    auto scan = (*reader)->Scan("t", s);
    if (!scan.ok()) return scan.status();
    size_t rows = 0;
    while (rows < hop && (*scan)->Next()) {
      rows += (*scan)->batch().num_rows();
      out.AppendRows((*scan)->batch(), 0, (*scan)->batch().num_rows());
    }
    if (!(*scan)->status().ok()) return (*scan)->status();
    if (rows < hop) return out;  // the scan ended
    auto next = (*scan)->ResumeToken();
    if (!next.ok()) return next.status();
    token = *next;
    ++*hops;
  }
}

TEST(MultiDeltaScanTest, WindowedMergesMatchTheModel) {
  const uint64_t seed = TestSeed(20261125);
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < Iterations(6, 3); ++iter) {
    Schema schema = iter == 0 ? KitchenSinkSchema() : RandomSchema(rng, 4, 6);
    SCOPED_TRACE(fmt::format("seed {} iter {} {}", seed, iter,
                             schema.DebugString()));
    auto fs = NewMemFileSystem();
    // No compaction: every commit stays a delta.
    auto db = Database::Open(SmallCompactionOptions(fs.get(), 0, 1000, 1000),
                             "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    TableOptions topts;
    topts.delta_file.block_size = size_t{512} << (rng() % 4);
    auto table = (*db)->CreateTable("t", schema, topts);
    ASSERT_TRUE(table.ok()) << table.status();
    ModelTable model;
    model.schema = schema;
    WideRowSource source(rng, schema);
    const size_t commits = 4 + rng() % 6;
    uint64_t version = 0;
    for (size_t b = 0; b < commits; ++b) {
      RowBatch rows = source.Rows(rng, 2000 + rng() % 2000);
      UpdateBatch batch;
      ASSERT_TRUE(batch.AddRows(**table, rows).ok());
      auto v = (*db)->Commit(batch);
      ASSERT_TRUE(v.ok()) << v.status();
      version = *v;
      model.AddBatch(version, std::move(rows));
    }
    const RowBatch& want = model.At(version);
    ASSERT_GT(want.num_rows(), 4096u);  // past the heap's first rows
    auto reader = (*db)->NewReader();
    ASSERT_TRUE(reader.ok()) << reader.status();

    // Every column, in batches of several sizes.
    for (size_t batch_rows : {size_t{1000}, size_t{4096}, size_t{9000}}) {
      ScanSpec spec;
      spec.batch_rows = batch_rows;
      auto got = ScanRows(**reader, "t", spec, schema.columns());
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(SameRows(schema, *got, want)) << batch_rows;
    }
    // Some value columns in a random order, the keys not all shown.
    std::vector<std::string> names;
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      if (rng() % 2 == 0) names.push_back(schema.column(c).name);
    }
    if (names.empty()) names.push_back(schema.column(0).name);
    std::shuffle(names.begin(), names.end(), rng);
    {
      ScanSpec spec;
      spec.columns = names;
      spec.batch_rows = 3000;
      const auto cols = QueryColumns(schema, spec);
      auto got = ScanRows(**reader, "t", spec, cols);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(SameRows(cols, *got, ModelQuery(schema, want, spec)));
    }
    // A range of the first key column (most of the table).
    {
      const ColumnVector& pool = source.pool(0);
      ColumnVector lo(pool.type()), hi(pool.type());
      lo.AppendFrom(pool, rng() % pool.size());
      hi.AppendFrom(pool, rng() % pool.size());
      if (CompareValues(lo, 0, hi, 0) > 0) std::swap(lo, hi);
      ScanSpec spec;
      spec.lower = CellValue(lo, 0);
      spec.upper = CellValue(hi, 0);
      spec.upper_inclusive = true;
      spec.columns = names;
      spec.batch_rows = 2000;
      const auto cols = QueryColumns(schema, spec);
      auto got = ScanRows(**reader, "t", spec, cols);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(SameRows(cols, *got,
                           ModelScan(schema, want, {}, lo, true, hi, true,
                                     names)));
    }
    // A filter on a value (it sees the merged values).
    if (schema.num_columns() > schema.num_keys()) {
      const size_t c = schema.num_keys() +
                       rng() % (schema.num_columns() - schema.num_keys());
      ColumnVector op(schema.column(c).type);
      op.AppendFrom(want.column(c), rng() % want.num_rows());
      ScanSpec spec;
      spec.filters = {{schema.column(c).name, FilterOp::kLe, {CellValue(op, 0)}}};
      spec.batch_rows = 2500;
      const auto cols = QueryColumns(schema, spec);
      auto got = ScanRows(**reader, "t", spec, cols);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(SameRows(cols, *got, ModelQuery(schema, want, spec)));
    }
    // Resumed every few thousand rows: each cursor windows past its first
    // rows, and the next starts right after the last row handed out.
    {
      ScanSpec spec;
      spec.batch_rows = 700;
      int hops = 0;
      auto got = ScanResumed(**db, spec, schema.columns(), 5000, &hops);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_GT(hops, 0);
      EXPECT_TRUE(SameRows(schema, *got, want));
    }
  }
}

// A full scan larger than the block cache decodes its blocks without
// inserting them, so it evicts nothing point reads use: after the scan, the
// same point reads hit the cache as before it.
TEST(MultiDeltaScanTest, AFullScanLeavesTheBlockCacheToPointReads) {
  const uint64_t seed = TestSeed(20261126);
  std::mt19937_64 rng(seed);
  SCOPED_TRACE(fmt::format("seed {}", seed));
  const Schema schema = KitchenSinkSchema();
  auto fs = NewMemFileSystem();
  Options options = SmallCompactionOptions(fs.get(), 0, 1000, 1000);
  options.block_cache_bytes = size_t{1} << 20;
  auto db = Database::Open(options, "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  TableOptions topts;
  topts.delta_file.block_size = 1024;
  auto table = (*db)->CreateTable("t", schema, topts);
  ASSERT_TRUE(table.ok()) << table.status();
  WideRowSource source(rng, schema);
  RowBatch last;
  for (int b = 0; b < 6; ++b) {
    last = source.Rows(rng, 5000);
    UpdateBatch batch;
    ASSERT_TRUE(batch.AddRows(**table, last).ok());
    ASSERT_TRUE((*db)->Commit(batch).ok());
  }
  auto reader = (*db)->NewReader();
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto point_reads = [&] {
    for (size_t i = 0; i < 8; ++i) {
      std::vector<Value> key;
      for (size_t c = 0; c < schema.num_keys(); ++c) {
        key.push_back(CellValue(last.column(c), i * 97));
      }
      auto row = (*reader)->Get("t", key);
      ASSERT_TRUE(row.ok()) << row.status();
      ASSERT_TRUE(row->has_value());
    }
  };
  point_reads();  // fills the cache
  if (::testing::Test::HasFatalFailure()) return;
  const uint64_t misses = (*db)->Stats().block_cache_misses;
  point_reads();
  ASSERT_EQ((*db)->Stats().block_cache_misses, misses);  // all hits
  ScanSpec spec;
  auto rows = ScanRows(**reader, "t", spec, schema.columns());
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_GT(rows->num_rows(), 4096u);
  const uint64_t after_scan = (*db)->Stats().block_cache_misses;
  point_reads();
  EXPECT_EQ((*db)->Stats().block_cache_misses, after_scan);
}

// A damaged block met after the merge went by windows: the scan ends with
// DataLoss naming the file, and every row handed out before is the
// model's, in order (a window is handed out only whole keys).
TEST(MultiDeltaScanTest, ADamagedBlockEndsAWindowedScanCleanly) {
  const uint64_t seed = TestSeed(20261127);
  std::mt19937_64 rng(seed);
  SCOPED_TRACE(fmt::format("seed {}", seed));
  const Schema schema = KitchenSinkSchema();
  auto fs = NewMemFileSystem();
  const Options options = SmallCompactionOptions(fs.get(), 0, 1000, 1000);
  ModelTable model;
  model.schema = schema;
  uint64_t version = 0;
  {
    auto db = Database::Open(options, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    TableOptions topts;
    topts.delta_file.block_size = 1024;
    auto table = (*db)->CreateTable("t", schema, topts);
    ASSERT_TRUE(table.ok()) << table.status();
    WideRowSource source(rng, schema);
    for (int b = 0; b < 5; ++b) {
      RowBatch rows = source.Rows(rng, 3000);
      UpdateBatch batch;
      ASSERT_TRUE(batch.AddRows(**table, rows).ok());
      auto v = (*db)->Commit(batch);
      ASSERT_TRUE(v.ok()) << v.status();
      version = *v;
      model.AddBatch(version, std::move(rows));
    }
  }
  auto names = fs->GetChildren("/db");
  ASSERT_TRUE(names.ok()) << names.status();
  std::vector<std::string> deltas;
  for (const std::string& n : *names) {
    if (n.find(".delta") != std::string::npos) deltas.push_back(n);
  }
  ASSERT_GE(deltas.size(), 5u);
  const std::string victim = deltas[rng() % deltas.size()];
  const std::string path = "/db/" + victim;
  auto data = ReadFileToString(fs.get(), path);
  ASSERT_TRUE(data.ok()) << data.status();
  std::string bad = *data;
  bad[bad.size() * 2 / 3] ^= 0x01;  // a data block past the first rows
  {
    auto f = fs->NewWritableFile(path);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Append(bad).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  auto db = Database::Open(options, "/db");
  absl::Status status = db.status();
  RowBatch got(schema);
  if (db.ok()) {
    auto reader = (*db)->NewReader();
    status = reader.status();
    if (reader.ok()) {
      ScanSpec spec;
      spec.batch_rows = 1000;
      auto scan = (*reader)->Scan("t", spec);
      status = scan.status();
      if (scan.ok()) {
        while ((*scan)->Next()) {
          got.AppendRows((*scan)->batch(), 0, (*scan)->batch().num_rows());
        }
        status = (*scan)->status();
      }
    }
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_NE(Message(status).find(victim), std::string::npos) << status;
  const RowBatch& want = model.At(version);
  ASSERT_LE(got.num_rows(), want.num_rows());
  for (size_t r = 0; r < got.num_rows(); ++r) {
    ASSERT_TRUE(RowsEquivalent(schema, got, r, want, r))
        << "row " << r << ": " << RowToString(got, r) << " vs "
        << RowToString(want, r);
  }
}

}  // namespace
}  // namespace mesa::testing
