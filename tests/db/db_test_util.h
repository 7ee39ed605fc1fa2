// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Helpers shared by the Database tests: a reference model of a table (its
// committed batches; the answer at version v is workload::SortAndAggregate
// over the concatenation of batches 1..v), random rows with repeated keys,
// scans into one RowBatch, and row-set comparison with the tolerance of
// testing::RowsEquivalent.

#ifndef MESA_TESTS_DB_DB_TEST_UTIL_H_
#define MESA_TESTS_DB_DB_TEST_UTIL_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "absl/time/time.h"
#include "mesa/clock.h"
#include "mesa/database.h"
#include "src/workload/workload.h"
#include "tests/testing/random_rows.h"

#define DB_ASSERT_OK(expr)              \
  do {                                  \
    const absl::Status db_s_ = (expr);  \
    ASSERT_TRUE(db_s_.ok()) << db_s_;   \
  } while (0)
#define DB_EXPECT_OK(expr)              \
  do {                                  \
    const absl::Status db_s_ = (expr);  \
    EXPECT_TRUE(db_s_.ok()) << db_s_;   \
  } while (0)

namespace mesa::testing {

// Whether this build runs under a sanitizer (or without optimization):
// randomized tests then run fewer iterations.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSlowBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
inline constexpr bool kSlowBuild = true;
#else
inline constexpr bool kSlowBuild = false;
#endif
#elif !defined(NDEBUG)
inline constexpr bool kSlowBuild = true;
#else
inline constexpr bool kSlowBuild = false;
#endif

// `fast` in an optimized build, `slow` under sanitizers.
inline int Iterations(int fast, int slow) { return kSlowBuild ? slow : fast; }

// A status message as a std::string.
inline std::string Message(const absl::Status& s) {
  return std::string(s.message().data(), s.message().size());
}

// A clock the test sets by hand (Options::clock).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(uint64_t micros) : micros_(micros) {}
  uint64_t NowMicros() override { return micros_.load(); }
  void Set(absl::Time t) {
    micros_.store(static_cast<uint64_t>(absl::ToUnixMicros(t)));
  }
  void Advance(absl::Duration d) {
    micros_.fetch_add(static_cast<uint64_t>(absl::ToInt64Microseconds(d)));
  }

 private:
  std::atomic<uint64_t> micros_;
};

// Options for a test database on `fs` whose compaction is due after a few
// commits: `cumulative_threshold` singletons make a cumulative, and a commit
// finding `max_pending` singletons pending compacts (or waits) first.
inline Options SmallCompactionOptions(FileSystem* fs, int background_threads,
                                      int cumulative_threshold,
                                      size_t max_pending) {
  Options o;
  o.fs = fs;
  o.background_threads = background_threads;
  o.cumulative_threshold = cumulative_threshold;
  o.max_pending_singletons = max_pending;
  return o;
}

// One table of the model: every committed batch of rows, by version.
struct ModelTable {
  std::string name;
  Schema schema;
  std::shared_ptr<const Table> handle;
  uint64_t created_version = 0;  // readable from this version on
  bool dropped = false;
  std::vector<std::pair<uint64_t, RowBatch>> batches;  // version order
  // Cache of At(), by version.
  mutable std::map<uint64_t, RowBatch> answers;

  void AddBatch(uint64_t version, RowBatch rows) {
    batches.emplace_back(version, std::move(rows));
    // Answers at later versions (none are cached: versions only grow) stay.
  }

  // The table's rows at `version`: batches 1..version concatenated, then
  // sorted and aggregated by the reference model.
  const RowBatch& At(uint64_t version) const {
    auto it = answers.find(version);
    if (it != answers.end()) return it->second;
    RowBatch all(schema);
    for (const auto& [v, rows] : batches) {
      if (v <= version) all.AppendRows(rows, 0, rows.num_rows());
    }
    workload::SortAndAggregate(schema, &all);
    return answers.emplace(version, std::move(all)).first->second;
  }

  // Drops cached answers below `version` (they are no longer readable).
  void Forget(uint64_t below) {
    answers.erase(answers.begin(), answers.lower_bound(below));
  }
};

// Whether cell `i` of `a` and cell `j` of `b` (a column of type and
// aggregation `spec`) are equal, double SUM up to rounding as
// testing::RowsEquivalent.
inline bool CellsEquivalent(const ColumnSpec& spec, const ColumnVector& a,
                            size_t i, const ColumnVector& b, size_t j) {
  if (a.type() != spec.type || b.type() != spec.type) return false;
  if (spec.type == ColumnType::kDouble &&
      spec.aggregation == Aggregation::kSum) {
    const double u = a.GetDouble(i), v = b.GetDouble(j);
    if (std::isnan(u) || std::isnan(v)) return std::isnan(u) == std::isnan(v);
    if (u == v) return true;
    const double scale = std::max(std::fabs(u), std::fabs(v));
    return !std::isinf(scale) && std::fabs(u - v) <= 1e-9 * scale;
  }
  return a.is_string() ? a.GetString(i) == b.GetString(j)
                       : a.GetWord(i) == b.GetWord(j);
}

// Compares two row sets column by column (`cols` gives each column's type
// and aggregation), in order. Full rows go through RowsEquivalent too.
inline ::testing::AssertionResult SameRows(const std::vector<ColumnSpec>& cols,
                                           const RowBatch& got,
                                           const RowBatch& want) {
  if (got.num_columns() != cols.size() || want.num_columns() != cols.size()) {
    return ::testing::AssertionFailure()
           << "column counts: got " << got.num_columns() << ", want "
           << want.num_columns() << ", spec " << cols.size();
  }
  const size_t n = std::min(got.num_rows(), want.num_rows());
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (!CellsEquivalent(cols[c], got.column(c), r, want.column(c), r)) {
        return ::testing::AssertionFailure()
               << "row " << r << " column '" << cols[c].name << "': got "
               << RowToString(got, r) << ", want " << RowToString(want, r);
      }
    }
  }
  if (got.num_rows() != want.num_rows()) {
    auto f = ::testing::AssertionFailure();
    f << "got " << got.num_rows() << " rows, want " << want.num_rows();
    if (got.num_rows() > n) f << "; first extra row " << RowToString(got, n);
    if (want.num_rows() > n) {
      f << "; first missing row " << RowToString(want, n);
    }
    return f;
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult SameRows(const Schema& schema,
                                           const RowBatch& got,
                                           const RowBatch& want) {
  auto cols = SameRows(schema.columns(), got, want);
  if (!cols) return cols;
  for (size_t r = 0; r < got.num_rows(); ++r) {
    if (!RowsEquivalent(schema, got, r, want, r)) {
      return ::testing::AssertionFailure()
             << "RowsEquivalent fails at row " << r << ": "
             << RowToString(got, r) << " vs " << RowToString(want, r);
    }
  }
  return ::testing::AssertionSuccess();
}

// Bit-exact equality of two row sets.
inline ::testing::AssertionResult IdenticalRows(const RowBatch& a,
                                                const RowBatch& b) {
  if (a.num_rows() != b.num_rows() || a.num_columns() != b.num_columns()) {
    return ::testing::AssertionFailure()
           << a.num_rows() << "x" << a.num_columns() << " rows vs "
           << b.num_rows() << "x" << b.num_columns();
  }
  for (size_t r = 0; r < a.num_rows(); ++r) {
    if (!RowsEqual(a, r, b, r)) {
      return ::testing::AssertionFailure()
             << "row " << r << ": " << RowToString(a, r) << " vs "
             << RowToString(b, r);
    }
  }
  return ::testing::AssertionSuccess();
}

// The column specs of a projection (empty: every column).
inline std::vector<ColumnSpec> ProjectedColumns(
    const Schema& schema, const std::vector<std::string>& names) {
  if (names.empty()) return schema.columns();
  std::vector<ColumnSpec> out;
  for (const std::string& n : names) out.push_back(schema.column(*schema.FindColumn(n)));
  return out;
}

inline std::vector<ColumnType> TypesOf(const std::vector<ColumnSpec>& cols) {
  std::vector<ColumnType> types;
  for (const ColumnSpec& c : cols) types.push_back(c.type);
  return types;
}

// Every row a scan returns, in one batch whose columns are `cols`.
inline absl::StatusOr<RowBatch> ScanRows(const VersionedReader& reader,
                                         std::string_view table,
                                         const ScanSpec& spec,
                                         const std::vector<ColumnSpec>& cols) {
  absl::StatusOr<std::unique_ptr<ScanCursor>> scan = reader.Scan(table, spec);
  if (!scan.ok()) return scan.status();
  RowBatch out(TypesOf(cols));
  while ((*scan)->Next()) {
    const RowBatch& b = (*scan)->batch();
    if (b.num_columns() != cols.size()) {
      return absl::InternalError(fmt::format(
          "scan batch has {} columns, expected {}", b.num_columns(),
          cols.size()));
    }
    for (size_t c = 0; c < cols.size(); ++c) {
      if (b.column(c).type() != cols[c].type) {
        return absl::InternalError(
            fmt::format("scan column {} has the wrong type", c));
      }
    }
    out.AppendRows(b, 0, b.num_rows());
  }
  if (!(*scan)->status().ok()) return (*scan)->status();
  return out;
}

inline absl::StatusOr<RowBatch> ScanAll(const VersionedReader& reader,
                                        std::string_view table,
                                        const Schema& schema) {
  return ScanRows(reader, table, ScanSpec{}, schema.columns());
}

// A Value holding cell `row` of `col`, typed as the column.
inline Value CellValue(const ColumnVector& col, size_t row) {
  switch (col.type()) {
    case ColumnType::kInt32:
      return Value(col.GetInt32(row));
    case ColumnType::kInt64:
      return Value(col.GetInt64(row));
    case ColumnType::kUint64:
      return Value(col.GetUint64(row));
    case ColumnType::kDouble:
      return Value(col.GetDouble(row));
    case ColumnType::kString:
      return Value(std::string(col.GetString(row)));
  }
  return Value(int64_t{0});
}

// The model's rows of a scan: equality on the prefix, the range on the
// next key column, projected onto `cols`.
inline RowBatch ModelScan(const Schema& schema, const RowBatch& rows,
                          const std::vector<ColumnVector>& prefix,
                          const std::optional<ColumnVector>& lower,
                          bool lower_inclusive,
                          const std::optional<ColumnVector>& upper,
                          bool upper_inclusive,
                          const std::vector<std::string>& columns) {
  const std::vector<ColumnSpec> cols = ProjectedColumns(schema, columns);
  std::vector<size_t> idx;
  if (columns.empty()) {
    for (size_t c = 0; c < schema.num_columns(); ++c) idx.push_back(c);
  } else {
    for (const std::string& n : columns) idx.push_back(*schema.FindColumn(n));
  }
  RowBatch out(TypesOf(cols));
  const size_t p = prefix.size();
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    bool in = true;
    for (size_t c = 0; c < p && in; ++c) {
      in = CompareValues(rows.column(c), r, prefix[c], 0) == 0;
    }
    if (in && lower) {
      int c = CompareValues(rows.column(p), r, *lower, 0);
      in = c > 0 || (c == 0 && lower_inclusive);
    }
    if (in && upper) {
      int c = CompareValues(rows.column(p), r, *upper, 0);
      in = c < 0 || (c == 0 && upper_inclusive);
    }
    if (!in) continue;
    for (size_t i = 0; i < idx.size(); ++i) {
      out.column(i).AppendFrom(rows.column(idx[i]), r);
    }
  }
  return out;
}

// Draws rows for one table with a small key domain, so that keys repeat
// within a batch and across batches. SUM values may be negative; double SUM
// values are exact (multiples of 1/4, sometimes an infinity) so that any
// grouping of the sums gives the same bits.
class RowSource {
 public:
  RowSource(std::mt19937_64& rng, const Schema& schema) : schema_(schema) {
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      ColumnVector pool(schema.column(c).type);
      const size_t n = 2 + rng() % (schema.num_keys() == 1 ? 40 : 5);
      for (size_t i = 0; i < n; ++i) {
        Distribution d = rng() % 2 ? Distribution::kRandom
                                   : Distribution::kSkewed;
        AppendRandomValue(rng, d, i, &pool);
      }
      pools_.push_back(std::move(pool));
    }
  }

  const Schema& schema() const { return schema_; }

  // Appends `n` random rows to `out`.
  void Append(std::mt19937_64& rng, size_t n, RowBatch* out) const {
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < schema_.num_keys(); ++c) {
        out->column(c).AppendFrom(pools_[c], rng() % pools_[c].size());
      }
      for (size_t c = schema_.num_keys(); c < schema_.num_columns(); ++c) {
        AppendValue(rng, schema_.column(c), &out->column(c));
      }
    }
  }

  RowBatch Rows(std::mt19937_64& rng, size_t n) const {
    RowBatch out(schema_);
    Append(rng, n, &out);
    return out;
  }

  // A full key that is (most likely) not in the table: a fresh random
  // value in some key column.
  std::vector<Value> MissKey(std::mt19937_64& rng) const {
    std::vector<Value> key;
    const size_t fresh = rng() % schema_.num_keys();
    for (size_t c = 0; c < schema_.num_keys(); ++c) {
      if (c == fresh) {
        ColumnVector v(schema_.column(c).type);
        AppendRandomValue(rng, Distribution::kRandom, 0, &v);
        key.push_back(CellValue(v, 0));
      } else {
        key.push_back(CellValue(pools_[c], rng() % pools_[c].size()));
      }
    }
    return key;
  }

  const ColumnVector& pool(size_t c) const { return pools_[c]; }

 private:
  static void AppendValue(std::mt19937_64& rng, const ColumnSpec& spec,
                          ColumnVector* col) {
    if (spec.aggregation == Aggregation::kSum) {
      if (spec.type == ColumnType::kDouble) {
        double v = static_cast<double>(static_cast<int64_t>(rng() % 801) - 400) /
                   4.0;
        if (rng() % 64 == 0) {
          v = rng() % 2 ? std::numeric_limits<double>::infinity()
                        : -std::numeric_limits<double>::infinity();
        }
        col->AppendDouble(v);
        return;
      }
      // Mostly small, often negative (corrections), sometimes extreme
      // (integer sums wrap).
      if (rng() % 8 == 0) {
        AppendRandomValue(rng, Distribution::kRandom, 0, col);
        return;
      }
      const int64_t v = static_cast<int64_t>(rng() % 2001) - 1000;
      if (spec.type == ColumnType::kInt32) {
        col->AppendInt32(static_cast<int32_t>(v));
      } else {
        col->AppendWord(static_cast<uint64_t>(v));
      }
      return;
    }
    Distribution d = rng() % 2 ? Distribution::kRandom : Distribution::kSkewed;
    AppendRandomValue(rng, d, rng() % 100, col);
  }

  Schema schema_;
  std::vector<ColumnVector> pools_;
};

// A schema with every type as a key and every valid (type, aggregation)
// pair as a value.
inline Schema KitchenSinkSchema() {
  std::vector<ColumnSpec> keys = {{"k_str", ColumnType::kString},
                                  {"k_i32", ColumnType::kInt32}};
  std::vector<ColumnSpec> values;
  const ColumnType types[] = {ColumnType::kInt32, ColumnType::kInt64,
                              ColumnType::kUint64, ColumnType::kDouble,
                              ColumnType::kString};
  const Aggregation aggs[] = {Aggregation::kSum, Aggregation::kMin,
                              Aggregation::kMax, Aggregation::kReplace};
  for (ColumnType t : types) {
    for (Aggregation a : aggs) {
      if (t == ColumnType::kString && a == Aggregation::kSum) continue;
      values.push_back({fmt::format("{}_{}", ColumnTypeName(t),
                                    AggregationName(a)),
                        t, a});
    }
  }
  return Schema::Create(std::move(keys), std::move(values)).value();
}

// Whether `schema` has a double SUM column (whose digests may depend on
// the grouping of the sums).
inline bool HasDoubleSum(const Schema& schema) {
  for (const ColumnSpec& c : schema.columns()) {
    if (c.type == ColumnType::kDouble && c.aggregation == Aggregation::kSum) {
      return true;
    }
  }
  return false;
}

}  // namespace mesa::testing

#endif  // MESA_TESTS_DB_DB_TEST_UTIL_H_
