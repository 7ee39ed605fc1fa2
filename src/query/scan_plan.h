// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// ScanPlan: a ScanSpec checked against a table's schema and compiled into
// what the query cursor runs: typed predicates, the columns the merge
// reads, the output columns and the GROUP BY layout. Every error is an
// InvalidArgument naming the table and the column.

#ifndef MESA_QUERY_SCAN_PLAN_H_
#define MESA_QUERY_SCAN_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/reader.h"
#include "mesa/schema.h"
#include "src/format/predicate.h"

namespace mesa::internal {

struct GroupValue {
  size_t merged_pos = 0;  // in the merged batch
  Aggregation aggregation = Aggregation::kNone;
  ColumnType type = ColumnType::kInt64;
};

struct ScanPlan {
  // Every filter, the prefix and the range, as predicates on schema
  // columns; all must hold for a merged row.
  std::vector<ColumnPredicate> predicates;
  // Those on key columns: pushed down to zone maps and delta pruning.
  std::vector<ColumnPredicate> key_predicates;
  // Value columns (schema indices) the merge reads after the keys.
  std::vector<size_t> merge_values;
  // Position in the merged batch of each schema column, or -1.
  std::vector<int> merged_pos;
  // Predicates rewritten onto merged positions.
  std::vector<ColumnPredicate> merged_predicates;

  std::vector<std::string> names;
  std::vector<ColumnType> types;
  // Without GROUP BY: each output column's merged position. With: its
  // position in the group row (group columns, then group_values).
  std::vector<size_t> output;

  bool grouped = false;
  std::vector<size_t> group_keys;  // schema key columns, in key order
  // How many leading key columns the group key holds (rows of different
  // values there never share a group).
  size_t group_prefix = 0;
  std::vector<GroupValue> group_values;

  // Digest of everything that decides the answer (not batch_rows, the
  // token or allow_skip_scan): a resume token must match it.
  uint64_t fingerprint = 0;
};

absl::StatusOr<ScanPlan> PlanScan(const Schema& schema,
                                  std::string_view table,
                                  const ScanSpec& spec);

// Converts `values` into a column of `spec`'s type (InvalidArgument naming
// the column when one does not fit).
absl::StatusOr<ColumnVector> ColumnOperands(std::string_view table,
                                            const ColumnSpec& spec,
                                            const std::vector<Value>& values);

}  // namespace mesa::internal

#endif  // MESA_QUERY_SCAN_PLAN_H_
