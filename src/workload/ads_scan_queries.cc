// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/workload/ads_scan_queries.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "fmt/format.h"
#include "src/util/status_macros.h"
#include "src/workload/ads_queries.h"

namespace mesa::workload {
namespace {

using Clock = std::chrono::steady_clock;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

absl::StatusOr<GroupedResult> Drain(ScanCursor* cursor, int cost_column) {
  GroupedResult r;
  while (cursor->Next()) {
    const RowBatch& b = cursor->batch();
    r.groups += b.num_rows();
    for (uint64_t w : b.column(cost_column).words()) {
      r.checksum += static_cast<int64_t>(w);
    }
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  r.explain = cursor->Explain();
  return r;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall = 0, cpu = 0;  // medians, seconds
  GroupedResult last;
};

// Runs `f` `runs` times: median wall and CPU time (the machine is shared:
// CPU time is the steadier figure), and the last result.
template <typename F>
absl::StatusOr<Timing> Timed(int runs, F&& f) {
  std::vector<double> wall, cpu;
  Timing t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    const double c0 = ThreadCpuSeconds();
    MESA_ASSIGN_OR_RETURN(t.last, f());
    cpu.push_back(ThreadCpuSeconds() - c0);
    wall.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  t.wall = Median(wall);
  t.cpu = Median(cpu);
  return t;
}

double Share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) /
                              static_cast<double>(whole);
}

}  // namespace

absl::StatusOr<GroupedResult> RunQ2GroupBy(const VersionedReader& reader,
                                           bool use_rollups) {
  ScanSpec spec;
  spec.group_by = {"advertiser_id", "country"};
  spec.columns = {"advertiser_id", "country", "clicks", "cost_micros"};
  spec.batch_rows = 4096;
  spec.use_rollups = use_rollups;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  return Drain(cursor.get(), 3);
}

absl::StatusOr<GroupedResult> RunDateScan(const VersionedReader& reader,
                                          bool skip_scan) {
  ScanSpec spec;
  spec.filters = {{"date", FilterOp::kEq, {kSkipScanDate}}};
  spec.batch_rows = 4096;
  spec.allow_skip_scan = skip_scan;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  return Drain(cursor.get(), static_cast<int>(kAdsCostMicros));
}

absl::StatusOr<ScanQueryReport> MeasureScanQueries(Database* db, int runs) {
  ScanQueryReport r;
  r.runs = runs;
  MESA_ASSIGN_OR_RETURN(auto reader, db->NewReader());
  r.version = reader->version();
  MESA_ASSIGN_OR_RETURN(ScanResult hand, RunQ2ByHand(*reader));
  MESA_ASSIGN_OR_RETURN(
      auto base, Timed(runs, [&] { return RunQ2GroupBy(*reader, false); }));
  r.q2_base_seconds = base.wall;
  r.q2_base_cpu = base.cpu;
  r.q2_groups = base.last.groups;
  r.q2_base_explain = base.last.explain;
  r.q2_matches_hand_aggregation = base.last.groups == hand.rows &&
                                  base.last.checksum == hand.checksum;
  MESA_ASSIGN_OR_RETURN(GroupedResult probe, RunQ2GroupBy(*reader, true));
  if (probe.explain.from_rollup) {
    MESA_ASSIGN_OR_RETURN(
        auto rollup, Timed(runs, [&] { return RunQ2GroupBy(*reader, true); }));
    r.q2_rollup_seconds = rollup.wall;
    r.q2_rollup_cpu = rollup.cpu;
    r.q2_rollup_explain = rollup.last.explain;
    r.q2_matches_hand_aggregation = r.q2_matches_hand_aggregation &&
                                    rollup.last.groups == hand.rows &&
                                    rollup.last.checksum == hand.checksum;
  }
  MESA_ASSIGN_OR_RETURN(
      auto skip, Timed(runs, [&] { return RunDateScan(*reader, true); }));
  MESA_ASSIGN_OR_RETURN(
      auto full, Timed(runs, [&] { return RunDateScan(*reader, false); }));
  if (skip.last.groups != full.last.groups ||
      skip.last.checksum != full.last.checksum) {
    return absl::InternalError(fmt::format(
        "date = {}: skip-scan returned {} rows, the full scan {}",
        kSkipScanDate, skip.last.groups, full.last.groups));
  }
  r.date_rows = skip.last.groups;
  r.date_skip_seconds = skip.wall;
  r.date_full_seconds = full.wall;
  r.date_skip_cpu = skip.cpu;
  r.date_full_cpu = full.cpu;
  r.date_skip_explain = skip.last.explain;
  r.date_full_explain = full.last.explain;
  return r;
}

void PrintScanQueryReport(const ScanQueryReport& r) {
  const ScanExplain& b = r.q2_base_explain;
  fmt::print("  Q2 GROUP BY over the base @v{}: {} groups, {:.1f} ms ({:.1f} ms "
             "CPU; medians of {}), {} rows decoded, {} merged; equals the "
             "hand aggregation: {}\n",
             r.version, r.q2_groups, r.q2_base_seconds * 1e3,
             r.q2_base_cpu * 1e3, r.runs,
             b.rows_decoded, b.rows_merged,
             r.q2_matches_hand_aggregation ? "yes" : "NO");
  if (r.q2_rollup_seconds >= 0) {
    fmt::print("  Q2 through rollup '{}': {:.1f} ms ({:.1f} ms CPU), {} rows "
               "decoded\n",
               r.q2_rollup_explain.source, r.q2_rollup_seconds * 1e3,
               r.q2_rollup_cpu * 1e3,
               r.q2_rollup_explain.rows_decoded);
  }
  const ScanExplain& s = r.date_skip_explain;
  const ScanExplain& f = r.date_full_explain;
  fmt::print("  date = {} (no advertiser filter): {} rows\n", kSkipScanDate,
             r.date_rows);
  fmt::print("    skip-scan: {:.1f} ms ({:.1f} ms CPU), {} seeks, {} blocks "
             "read, {} skipped, {} of {} rows never decoded ({:.1f}%)\n",
             r.date_skip_seconds * 1e3, r.date_skip_cpu * 1e3, s.seeks, s.blocks_read,
             s.blocks_skipped, s.rows_never_decoded, s.rows_in_deltas,
             Share(s.rows_never_decoded, s.rows_in_deltas));
  fmt::print("    full scan: {:.1f} ms ({:.1f} ms CPU), {} rows decoded "
             "({:.1f}% never)\n",
             r.date_full_seconds * 1e3, r.date_full_cpu * 1e3, f.rows_decoded,
             Share(f.rows_never_decoded, f.rows_in_deltas));
  fmt::print("    speedup {:.2f}x wall, {:.2f}x CPU\n",
             r.date_skip_seconds > 0 ? r.date_full_seconds / r.date_skip_seconds
                                     : 0.0,
             r.date_skip_cpu > 0 ? r.date_full_cpu / r.date_skip_cpu : 0.0);
}

}  // namespace mesa::workload
