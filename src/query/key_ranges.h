// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// KeyRanges: what a scan's filters on key columns admit, column by column
// (a sorted set of points, or an interval), turned into seek targets: from
// any row, the smallest key at or after it that the key filters may
// admit. That one rule gives the scan's start, its end, skip-scan over
// non-leading key columns (Mesa's scan-to-seek), IN lists and the pruning
// of whole deltas by their min/max keys. `!=` filters admit too much to
// seek on; the scan checks them row by row like every other filter.

#ifndef MESA_QUERY_KEY_RANGES_H_
#define MESA_QUERY_KEY_RANGES_H_

#include <optional>
#include <string>
#include <vector>

#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/predicate.h"

namespace mesa::internal {

// The smallest value of `type` above `col[row]`, appended to `out`; false
// (nothing appended) if `col[row]` is the type's largest value. Strings:
// s + "\0"; doubles: the next in IEEE totalOrder.
bool AppendSuccessor(const ColumnVector& col, size_t row, ColumnVector* out);

// Sets *target to the smallest encoded key above every key that starts
// with columns [0, num_cols) of row `row` of `keys`; false if there is none
// (every one of those columns holds its type's largest value).
bool KeySuccessor(const RowBatch& keys, size_t row, size_t num_cols,
                  std::string* target);

class KeyRanges {
 public:
  // `predicates` may name any columns; only those on key columns count.
  KeyRanges(const Schema& schema,
            const std::vector<ColumnPredicate>& predicates);

  // No key can satisfy the filters (e.g. a = 1 AND a = 2).
  bool empty() const { return empty_; }
  // Whether some column after the first has a seekable filter while an
  // earlier one admits more than one value: a scan can then seek from one
  // distinct prefix to the next.
  bool skips() const { return skips_; }
  // Whether any key column has a filter that seeks (not just `!=`).
  bool constrained() const { return constrained_; }

  // The encoded key (or prefix) every admitted key is at or after; empty:
  // the table's start.
  std::string Start() const;

  // Whether the admitted keys are one interval of the key order: each
  // column before some column k admits one value, column k one value or
  // an interval, and the columns after k are unfiltered. Then keys in
  // [Start(), *upper) are exactly the admitted ones, `*upper` being an
  // encoded key or prefix, or empty when no key is above the interval, and
  // a scan needs neither seeks nor a filter per row.
  bool Interval(std::string* upper) const;

  enum class Step { kMatch, kSeek, kEnd };
  // For row `row` of `keys` (key columns first, in key order): kMatch if
  // the key filters may admit it; kSeek with `*target` (an encoded key or
  // prefix above the row) if no key in [row, target) is admitted; kEnd if
  // no key at or after the row is.
  Step Next(const RowBatch& keys, size_t row, std::string* target) const;

 private:
  struct Column {
    bool constrained = false;
    std::optional<ColumnVector> points;  // sorted, distinct
    std::optional<ColumnVector> lo;      // inclusive
    std::optional<ColumnVector> hi;
    bool hi_inclusive = true;
  };
  std::vector<Column> columns_;
  bool empty_ = false;
  bool skips_ = false;
  bool constrained_ = false;
};

}  // namespace mesa::internal

#endif  // MESA_QUERY_KEY_RANGES_H_
