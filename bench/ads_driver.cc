// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The `ads` workload driver (shared/workloads.md): ingest facts/s, bytes on
// disk per row, Q1 rows/s, Q3 and Q4 p50/p99, Q5 time and peak RSS, with
// the delta layout ingest leaves and after CompactNow().
//
//   ads_driver --scale=default [--dir=PATH] [--q3=1000] [--q4=100000]
//              [--background_threads=1] [--block_cache_mib=256]
//              [--warm_q4=true]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/version/compaction_picker.h"
#include "src/workload/ads_queries.h"
#include "src/workload/ads_scan_queries.h"
#include "src/workload/program_util.h"

ABSL_FLAG(std::string, scale, "default", "small, default or large");
ABSL_FLAG(std::string, dir, "", "database directory (default: a temp dir)");
ABSL_FLAG(uint64_t, q3, 1000, "Q3 queries per round");
ABSL_FLAG(uint64_t, q4, 100000, "Q4 lookups per round");
ABSL_FLAG(int, background_threads, 1, "background compaction threads");
ABSL_FLAG(uint64_t, block_cache_mib, 256, "block cache capacity in MiB");
ABSL_FLAG(int, scan_query_runs, 3,
          "runs of each query-layer query (Q2 GROUP BY, date = 20015 by "
          "skip-scan and full scan); 0 skips them");
ABSL_FLAG(bool, rollup, false,
          "add rollup ads_by_advertiser_country before CompactNow (which "
          "back-fills it), so Q2 is also answered through it");
ABSL_FLAG(bool, declare_rollup, false,
          "declare rollup ads_by_advertiser_country with the table, so every "
          "commit maintains it (ingest pays for it) and Q2 and Q5 (Q2 at a "
          "past version) read it");
ABSL_FLAG(bool, warm_q4, true,
          "look every Q4 key up once, untimed, before each measurement (Q4's "
          "target is with a warm cache)");

namespace {

using mesa::workload::Clock;
using mesa::workload::SecondsSince;
using mesa::workload::Check;
using mesa::workload::OrDie;

double PeakRssMiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

// CPU seconds of the calling thread (the committer; background compaction
// runs on its own threads). On a shared machine the wall clock also counts
// time other processes held the core.
double ThreadCpuSeconds() {
  struct rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) /
             1e6;
}

void Layout(const mesa::Database& db, uint64_t logical_rows) {
  uint64_t bytes = 0, deltas = 0;
  for (const auto& t : db.Stats().tables) {
    for (const auto& d : t.deltas) bytes += d.bytes, ++deltas;
  }
  fmt::print("  {} live deltas, {:.1f} MB; {:.2f} bytes per logical row\n",
             deltas, bytes / 1e6,
             static_cast<double>(bytes) / static_cast<double>(logical_rows));
}

// Background compaction is idle once the picker has nothing due for the
// layout Stats() shows and no compaction finished during the last 100 ms
// (one may have been running when the layout was read).
double WaitForBackgroundCompaction(const mesa::Database& db,
                                   const mesa::Options& options) {
  namespace in = mesa::internal;
  in::CompactionPolicy policy;
  policy.cumulative_trigger = options.cumulative_threshold;
  policy.history_window = options.history_versions;
  auto t0 = Clock::now();
  uint64_t done = ~uint64_t{0};
  while (true) {
    auto stats = db.Stats();
    bool due = false;
    for (const auto& t : stats.tables) {
      std::vector<in::DeltaPtr> deltas;
      for (const auto& d : t.deltas) {
        in::DeltaMeta m;
        m.file_number = d.file_number;
        m.min_version = d.min_version;
        m.max_version = d.max_version;
        deltas.push_back(std::make_shared<in::DeltaHandle>(m));
      }
      in::TableInfo info;
      info.name = t.name;
      due |= in::PickCompaction(in::TableVersion(info, std::move(deltas)),
                                stats.latest_version,
                                stats.oldest_readable_version, policy)
                 .has_value();
    }
    uint64_t now = stats.cumulative_compactions + stats.base_compactions;
    if (!due && now == done) break;
    done = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return SecondsSince(t0);
}

// One untimed pass over the Q4 keys, so Q4 measures a warm cache.
void WarmQ4(mesa::Database* db, const mesa::workload::BatchPlan& plan,
            uint64_t lookups) {
  namespace w = mesa::workload;
  auto reader = OrDie(db->NewReader(), "reader");
  const uint64_t stride =
      std::max<uint64_t>(1, w::kQ4Lookups / std::max<uint64_t>(1, lookups));
  auto t0 = Clock::now();
  const double cpu0 = ThreadCpuSeconds();
  uint64_t n = 0;
  for (uint64_t k = 0; k < w::kQ4Lookups; k += stride, ++n) {
    OrDie(w::RunQ4(*reader, w::Q4FactIndex(k, plan.num_facts())), "Q4");
  }
  auto again = Clock::now();
  const double cpu1 = ThreadCpuSeconds();
  for (uint64_t k = 0; k < w::kQ4Lookups; k += stride) {
    OrDie(w::RunQ4(*reader, w::Q4FactIndex(k, plan.num_facts())), "Q4");
  }
  fmt::print("  Q4 warm-up pass: {:.2f} s ({:.1f} us CPU per lookup); a second "
             "pass: {:.1f} us CPU per lookup\n",
             std::chrono::duration<double>(again - t0).count(),
             (cpu1 - cpu0) / std::max<uint64_t>(n, 1) * 1e6,
             (ThreadCpuSeconds() - cpu1) / std::max<uint64_t>(n, 1) * 1e6);
}

// The query-layer queries (src/workload/ads_scan_queries.h).
void ScanQueries(mesa::Database* db) {
  const int runs = absl::GetFlag(FLAGS_scan_query_runs);
  if (runs <= 0) return;
  mesa::workload::PrintScanQueryReport(
      OrDie(mesa::workload::MeasureScanQueries(db, runs), "scan queries"));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace w = mesa::workload;
  auto scale = OrDie(w::ParseScale(absl::GetFlag(FLAGS_scale)), "--scale");
  const w::BatchPlan plan = w::AdsPlan(scale);
  const std::string dir =
      mesa::workload::FreshDirectory(absl::GetFlag(FLAGS_dir), "mesa_ads_driver");
  mesa::Options options;
  options.history_versions = plan.batches;
  options.background_threads = absl::GetFlag(FLAGS_background_threads);
  options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mib) << 20;
  auto db = OrDie(mesa::Database::Open(options, dir), "open");

  const mesa::RollupSpec rollup{"ads_by_advertiser_country",
                                {"advertiser_id", "country"},
                                {"clicks", "cost_micros"}};
  if (absl::GetFlag(FLAGS_declare_rollup)) {
    mesa::TableOptions with_rollup;
    with_rollup.rollups = {rollup};
    OrDie(db->CreateTable("ads", w::AdsSchema(), with_rollup), "CreateTable");
  }
  auto t0 = Clock::now();
  const double cpu0 = ThreadCpuSeconds();
  auto s = w::LoadAds(db.get(), plan, 0, plan.batches);
  if (!s.ok()) {
    fmt::print(stderr, "load failed: {}\n", s.ToString());
    return 1;
  }
  double load = std::chrono::duration<double>(Clock::now() - t0).count();
  double load_cpu = ThreadCpuSeconds() - cpu0;
  fmt::print("ads {}: ingest {} facts in {} commits: {:.2f} s, {:.2f} M facts/s "
             "(committing thread: {:.2f} s CPU, {:.2f} M facts/s)\n",
             w::ScaleName(scale), plan.num_facts(), plan.batches, load,
             plan.num_facts() / load / 1e6, load_cpu,
             plan.num_facts() / load_cpu / 1e6);
  if (options.background_threads > 0) {
    // "As ingested" is the layout background compaction settles on.
    double drain = WaitForBackgroundCompaction(*db, options);
    fmt::print("background compaction idle {:.2f} s after the last commit\n",
               drain);
  }

  fmt::print("as ingested:\n");
  if (absl::GetFlag(FLAGS_warm_q4)) WarmQ4(db.get(), plan, absl::GetFlag(FLAGS_q4));
  auto report = OrDie(
      w::MeasureQueries(db.get(), plan, absl::GetFlag(FLAGS_q3),
                        absl::GetFlag(FLAGS_q4)),
      "queries");
  Layout(*db, report.q1_rows);
  w::PrintQueryReport(report);
  ScanQueries(db.get());

  if (absl::GetFlag(FLAGS_rollup) && !absl::GetFlag(FLAGS_declare_rollup)) {
    OrDie(db->AddRollup("ads", rollup), "AddRollup");
  }
  t0 = Clock::now();
  if (auto c = db->CompactNow(); !c.ok()) {
    fmt::print(stderr, "CompactNow failed: {}\n", c.ToString());
    return 1;
  }
  fmt::print("CompactNow: {:.2f} s\n",
             std::chrono::duration<double>(Clock::now() - t0).count());
  fmt::print("after CompactNow:\n");
  if (absl::GetFlag(FLAGS_warm_q4)) WarmQ4(db.get(), plan, absl::GetFlag(FLAGS_q4));
  report = OrDie(w::MeasureQueries(db.get(), plan, absl::GetFlag(FLAGS_q3),
                                   absl::GetFlag(FLAGS_q4)),
                 "queries");
  Layout(*db, report.q1_rows);
  w::PrintQueryReport(report);
  ScanQueries(db.get());
  auto stats = db->Stats();
  fmt::print("compactions: {} cumulative, {} base; commit stalls {}; block cache "
             "hits {} misses {}\n",
             stats.cumulative_compactions, stats.base_compactions,
             stats.commit_stalls, stats.block_cache_hits,
             stats.block_cache_misses);
  fmt::print("peak RSS: {:.0f} MiB\n", PeakRssMiB());
  return 0;
}
