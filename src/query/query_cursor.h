// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The ScanCursor behind VersionedReader::Scan: plans the spec (scan_plan.h),
// prunes deltas by their min/max keys and file zone maps, merges the rest
// (zone maps skip blocks on key filters), seeks past keys the key filters
// exclude (key_ranges.h), filters merged rows, groups them (group_by.h),
// projects, and keeps the Explain counters and the resume position.

#ifndef MESA_QUERY_QUERY_CURSOR_H_
#define MESA_QUERY_QUERY_CURSOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/reader.h"
#include "src/format/delta_reader.h"
#include "src/query/scan_plan.h"

namespace mesa::internal {

struct QueryDelta {
  std::shared_ptr<const DeltaReader> reader;
  uint64_t file_number = 0;
  uint64_t min_version = 0;
  uint64_t max_version = 0;
};

// What a scan reads: the deltas of one table's (or rollup's) covering path
// at the reader's version.
struct QuerySource {
  std::string table;   // the table the scan asked for (in tokens)
  std::string source;  // the table or rollup read
  bool from_rollup = false;
  uint64_t version = 0;
  // The schema of `source`; must stay valid while `keep_alive` is held.
  const Schema* schema = nullptr;
  std::shared_ptr<const void> keep_alive;
  std::vector<QueryDelta> deltas;  // oldest first
  // The spec fingerprint resume tokens carry; 0: that of the spec over
  // `schema`. A scan answered from a rollup keeps the table's, so tokens
  // work whichever one a reader picks.
  uint64_t fingerprint = 0;
};

// `planned`, when given, is PlanScan(*source.schema, source.table, spec)
// already made by the caller (it is not made twice).
absl::StatusOr<std::unique_ptr<ScanCursor>> NewQueryCursor(
    QuerySource source, const ScanSpec& spec,
    std::optional<ScanPlan> planned = std::nullopt);

}  // namespace mesa::internal

#endif  // MESA_QUERY_QUERY_CURSOR_H_
