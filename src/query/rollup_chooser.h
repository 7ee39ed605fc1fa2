// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Automatic rollup choice: a pure function from a query's shape and the
// rollups of its table to the rollup to read instead (design.md, "Read":
// a scan picks the smallest table or rollup that answers it).
//
// A rollup answers a query when all of these hold:
//  - the query groups (a rollup has fewer keys than its table, so a plain
//    scan, which returns every key, needs the table);
//  - the rollup is usable at the reader's version (declared with its
//    table, or back-filled and ready at or before that version);
//  - every group column, and every column a filter, prefix or range names,
//    is a key of the rollup (a filter on a value column applies to the
//    table's rows, before aggregation: the rollup's values are coarser);
//  - every projected value column is a value of the rollup (with the
//    table's aggregation, which a rollup always keeps);
//  - the group columns appear in the rollup's key order in the table's
//    key order, so the rollup's groups come out in the same order as the
//    table's would (answers are identical, and so are resume tokens).
// Among the rollups that answer, the smallest in bytes at that version
// wins; ties go to the first name.

#ifndef MESA_QUERY_ROLLUP_CHOOSER_H_
#define MESA_QUERY_ROLLUP_CHOOSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mesa/schema.h"
#include "src/query/scan_plan.h"

namespace mesa::internal {

struct RollupCandidate {
  std::string name;
  std::vector<std::string> key_columns;    // in the rollup's key order
  std::vector<std::string> value_columns;
  uint64_t bytes = 0;   // its live deltas at the reader's version
  bool usable = false;  // readable at the reader's version
};

struct QueryShape {
  bool grouped = false;
  std::vector<std::string> group_by;        // in the table's key order
  std::vector<std::string> filter_columns;  // filters, prefix and range
  std::vector<std::string> value_columns;   // projected value columns
};

// The shape of a scan planned over the table's schema.
QueryShape ShapeOf(const Schema& table, const ScanPlan& plan);

// The index in `candidates` of the rollup to read, or nullopt: the table.
std::optional<size_t> ChooseRollup(
    const QueryShape& query, const std::vector<RollupCandidate>& candidates);

}  // namespace mesa::internal

#endif  // MESA_QUERY_ROLLUP_CHOOSER_H_
