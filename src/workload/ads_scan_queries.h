// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The `ads` queries that exercise the query layer (include/mesa/query.h),
// for the workload driver: Q2 as a GROUP BY scan of the base table (and
// through a rollup when the table has one), and Q3 with `date = 20015`
// and no advertiser filter, by skip-scan and by a full scan, with what
// each decoded.

#ifndef MESA_WORKLOAD_ADS_SCAN_QUERIES_H_
#define MESA_WORKLOAD_ADS_SCAN_QUERIES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "mesa/database.h"

namespace mesa::workload {

// The date of the skip-scan query: Q3's `date = 20015`.
inline constexpr int32_t kSkipScanDate = 20015;

// Q2 through the query layer: GROUP BY advertiser_id, country with
// SUM(clicks), SUM(cost_micros); `use_rollups` lets it read a rollup.
struct GroupedResult {
  uint64_t groups = 0;
  int64_t checksum = 0;  // sum of cost_micros over the groups
  ScanExplain explain;
};
absl::StatusOr<GroupedResult> RunQ2GroupBy(const VersionedReader& reader,
                                           bool use_rollups);

// Every row with date = 20015, every column; by skip-scan or not.
absl::StatusOr<GroupedResult> RunDateScan(const VersionedReader& reader,
                                          bool skip_scan);

struct ScanQueryReport {
  uint64_t version = 0;
  int runs = 0;
  uint64_t q2_groups = 0;
  bool q2_matches_hand_aggregation = false;  // RunQ2's groups and checksum
  double q2_base_seconds = 0, q2_base_cpu = 0;  // medians
  ScanExplain q2_base_explain;
  double q2_rollup_seconds = -1;  // median; -1 when no rollup answers Q2
  double q2_rollup_cpu = 0;
  ScanExplain q2_rollup_explain;
  uint64_t date_rows = 0;
  double date_skip_seconds = 0, date_full_seconds = 0;  // medians
  double date_skip_cpu = 0, date_full_cpu = 0;
  ScanExplain date_skip_explain, date_full_explain;
};

// Runs each query `runs` times at the latest version; medians.
absl::StatusOr<ScanQueryReport> MeasureScanQueries(Database* db, int runs);

void PrintScanQueryReport(const ScanQueryReport& r);

}  // namespace mesa::workload

#endif  // MESA_WORKLOAD_ADS_SCAN_QUERIES_H_
