// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// VersionedReader: the whole database pinned at one version. Its answers
// never change while it lives, whatever commits and compactions happen
// meanwhile (design.md, invariant 5); the delta files it needs stay on
// disk until it is destroyed.
//
// Thread safety: a VersionedReader is safe to use from many threads at
// once. A ScanCursor is used by one thread at a time.

#ifndef MESA_READER_H_
#define MESA_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "mesa/query.h"
#include "mesa/row_batch.h"
#include "mesa/value.h"

namespace mesa {

// Which rows a scan returns, in key order: equality on a prefix of the key
// columns, optionally a range on the next key column, and any filters.
// With GROUP BY, one row per group instead, in the order of the group key.
struct ScanSpec {
  // Values of the first key columns, in key order. Empty: no equality.
  std::vector<Value> key_prefix;
  // Range on key column key_prefix.size(). Unset bounds are open.
  std::optional<Value> lower;
  bool lower_inclusive = true;
  std::optional<Value> upper;
  bool upper_inclusive = false;
  // Filters on any columns, ANDed with each other and with the prefix and
  // range above (query.h says how they apply). Filters on key columns seek
  // past keys they exclude and skip blocks and whole deltas; filters on
  // value columns apply to the merged (aggregated) rows.
  std::vector<Filter> filters;
  // Names of key columns to group by (any subset, any order). Non-empty:
  // one row per distinct group key, each value column aggregated with its
  // column's aggregation over the group's rows. Rows come sorted by the
  // group key taken in the table's key order (streaming when the group
  // key is a prefix of the key, a hash aggregation otherwise). A REPLACE
  // column has no meaningful value over several keys (Doris rejects it in
  // such rollups too): projecting one is InvalidArgument unless the group
  // key holds every key column. Empty: no grouping.
  std::vector<std::string> group_by;
  // Names of the columns to return, in this order. Empty: every column
  // (with GROUP BY: the group columns in key order, then every value
  // column). With GROUP BY only group and value columns may be named.
  std::vector<std::string> columns;
  // Rows per batch. Default: 1024
  size_t batch_rows = 1024;
  // Continue a scan from where another cursor's ResumeToken() says it
  // stopped: the rest of the rows, none lost or repeated. The token must
  // come from a scan of the same table, with the same spec (batch_rows
  // aside), at this reader's version: otherwise InvalidArgument. Empty:
  // from the start.
  std::string resume_token;
  // Allow seeking past keys the key filters exclude (scan-to-seek) and
  // skipping blocks and deltas by zone maps and min/max keys. Off, a scan
  // decodes every row between its first and last possible keys: the
  // baseline to measure against. Answers are the same either way.
  // Default: true
  bool allow_skip_scan = true;
  // With GROUP BY, read the smallest rollup of the table that is complete
  // at this version and holds every column the scan names (group, filter,
  // prefix, range and projected columns; no filter on a value column),
  // with the group columns in the table's relative order. The answer is
  // the same either way; Explain says what was read. Default: true
  bool use_rollups = true;
};

// Streams a scan's rows in batches.
class ScanCursor {
 public:
  virtual ~ScanCursor() = default;
  // Loads the next batch; false at the end or on error (see status()).
  virtual bool Next() = 0;
  // The current batch: the spec's columns, in its order.
  virtual const RowBatch& batch() const = 0;
  virtual const absl::Status& status() const = 0;
  // The batch's column names.
  virtual const std::vector<std::string>& column_names() const = 0;
  // A token from which a new scan with the same spec on a reader at the
  // same version (ScanSpec::resume_token) continues right after the rows
  // handed out so far. Opaque, versioned and checksummed; valid across
  // processes. An error only if the cursor failed.
  virtual absl::StatusOr<std::string> ResumeToken() const = 0;
  // What the scan read so far (query.h).
  virtual ScanExplain Explain() const = 0;

  // Loads the next batch like Next, but hands it out as views: views()[i]
  // is the batch's column i (the spec's columns, in its order). A scan
  // that reads one delta within one key interval (a key prefix, then
  // maybe a range, and no other filter nor GROUP BY: a report of one
  // advertiser's dates, one user's history) points them into the block
  // cache's decoded columns, copying nothing; any other scan into its
  // batch. The views stay valid until the next call of Next or NextView,
  // or the cursor's destruction: the cursor holds the cache entry they
  // point into until then, even if the cache evicts it meanwhile. Calls
  // of Next and NextView may alternate; batch() holds rows only after
  // Next. Same thread-safety as Next.
  virtual bool NextView() {
    views_.clear();
    if (!Next()) return false;
    const RowBatch& b = batch();
    for (size_t i = 0; i < b.num_columns(); ++i) {
      views_.emplace_back(b.column(i), 0, b.num_rows());
    }
    return true;
  }
  const std::vector<ColumnView>& views() const { return views_; }

 protected:
  std::vector<ColumnView> views_;
};

// A row-at-a-time view over a ScanCursor.
class RowCursor {
 public:
  explicit RowCursor(std::unique_ptr<ScanCursor> scan)
      : scan_(std::move(scan)) {}
  // Advances to the next row; false at the end or on error.
  bool Next() {
    if (has_batch_ && ++row_ < scan_->batch().num_rows()) return true;
    row_ = 0;
    while ((has_batch_ = scan_->Next())) {
      if (scan_->batch().num_rows() > 0) return true;
    }
    return false;
  }
  const ColumnVector& column(size_t i) const {
    return scan_->batch().column(i);
  }
  size_t row() const { return row_; }
  int64_t GetInt64(size_t col) const { return column(col).GetInt64(row_); }
  uint64_t GetUint64(size_t col) const { return column(col).GetUint64(row_); }
  double GetDouble(size_t col) const { return column(col).GetDouble(row_); }
  std::string_view GetString(size_t col) const {
    return column(col).GetString(row_);
  }
  const absl::Status& status() const { return scan_->status(); }

 private:
  std::unique_ptr<ScanCursor> scan_;
  size_t row_ = 0;
  bool has_batch_ = false;
};

class VersionedReader {
 public:
  virtual ~VersionedReader() = default;

  // The version this reader sees.
  virtual uint64_t version() const = 0;

  // Rows of `table` at this version. NotFound if the table does not exist
  // at this version; InvalidArgument naming the column if the spec does not
  // fit the schema.
  virtual absl::StatusOr<std::unique_ptr<ScanCursor>> Scan(
      std::string_view table, const ScanSpec& spec) const = 0;

  // The row with this full key (a value per key column), every column, or
  // nullopt if there is none. A missing key is not an error.
  virtual absl::StatusOr<std::optional<RowBatch>> Get(
      std::string_view table, absl::Span<const Value> key) const = 0;
};

}  // namespace mesa

#endif  // MESA_READER_H_
