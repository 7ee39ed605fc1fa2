// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The `ads` workload of shared/workloads.md run against a mesa Database:
// loading its batches and the queries Q1 to Q5, shared by the demo
// (examples/ads_workload.cpp) and the workload driver (bench/).

#ifndef MESA_WORKLOAD_ADS_QUERIES_H_
#define MESA_WORKLOAD_ADS_QUERIES_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/database.h"
#include "src/workload/workload.h"

namespace mesa::workload {

// Creates table `ads` (if missing) and commits batches [first, last) of
// `plan`, batch b as version b + 1. `on_batch(b)` runs after each commit.
absl::Status LoadAds(Database* db, const BatchPlan& plan, uint64_t first,
                     uint64_t last,
                     const std::function<void(uint64_t)>& on_batch = {});

struct ScanResult {
  uint64_t rows = 0;
  int64_t checksum = 0;  // sum of cost_micros, a cheap cross-check
};

// Q1: every row, every column, in key order.
absl::StatusOr<ScanResult> RunQ1(const VersionedReader& reader);

// Q2: GROUP BY advertiser_id, country: SUM(clicks), SUM(cost_micros), as
// a query-layer GROUP BY (read from the rollup ads_by_advertiser_country
// when the table has it, ready at the reader's version). Returns the
// number of groups.
absl::StatusOr<ScanResult> RunQ2(const VersionedReader& reader);

// Q2 aggregated by the caller over a projected scan of the base table: the
// cross-check of the query layer's GROUP BY.
absl::StatusOr<ScanResult> RunQ2ByHand(const VersionedReader& reader);

// Q3 query j: rows with advertiser_id = A (stream seed 7) and
// 20010 <= date < 20020.
absl::StatusOr<ScanResult> RunQ3(const VersionedReader& reader,
                                 int64_t advertiser);

// Q4: the row with the full key of fact `i`; rows found (0 or 1).
absl::StatusOr<ScanResult> RunQ4(const VersionedReader& reader, uint64_t i);

// Timings of one round of queries, at the latest version (Q1, Q3, Q4) and
// at version B / 2 (Q5, and Q1 there).
struct QueryReport {
  uint64_t version = 0;
  uint64_t q1_rows = 0;
  double q1_seconds = 0;
  uint64_t q3_queries = 0, q3_rows = 0;
  double q3_p50_us = 0, q3_p99_us = 0;
  uint64_t q4_lookups = 0, q4_hits = 0;
  double q4_p50_us = 0, q4_p99_us = 0;
  uint64_t q5_version = 0, q5_groups = 0;
  double q5_seconds = 0;
  uint64_t q1_old_rows = 0;
  double q1_old_seconds = 0;
};

// Runs Q1 once, `q3_queries` Q3 queries (stream seed 7), `q4_lookups` Q4
// lookups spread evenly over the 100,000 of workloads.md, and Q5.
absl::StatusOr<QueryReport> MeasureQueries(Database* db,
                                           const BatchPlan& plan,
                                           uint64_t q3_queries,
                                           uint64_t q4_lookups);

// Prints the report as aligned lines to stdout.
void PrintQueryReport(const QueryReport& r);

}  // namespace mesa::workload

#endif  // MESA_WORKLOAD_ADS_QUERIES_H_
