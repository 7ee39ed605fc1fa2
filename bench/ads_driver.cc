// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The `ads` workload driver (shared/workloads.md): ingest facts/s, bytes on
// disk per row, Q1 rows/s, Q3 and Q4 p50/p99, Q5 time and peak RSS, with
// the delta layout ingest leaves and after CompactNow().
//
//   ads_driver --scale=default [--dir=PATH] [--q3=1000] [--q4=100000]
//              [--background_threads=1]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/workload/ads_queries.h"
#include "src/workload/program_util.h"

ABSL_FLAG(std::string, scale, "default", "small, default or large");
ABSL_FLAG(std::string, dir, "", "database directory (default: a temp dir)");
ABSL_FLAG(uint64_t, q3, 1000, "Q3 queries per round");
ABSL_FLAG(uint64_t, q4, 100000, "Q4 lookups per round");
ABSL_FLAG(int, background_threads, 1, "background compaction threads");

namespace {

using mesa::workload::Clock;
using mesa::workload::SecondsSince;
constexpr auto& Check = mesa::workload::CheckOrExit;
template <typename T>
T OrDie(absl::StatusOr<T> v, const char* what) {
  return mesa::workload::ValueOrExit(std::move(v), what);
}

double PeakRssMiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
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
  auto db = OrDie(mesa::Database::Open(options, dir), "open");

  auto t0 = Clock::now();
  auto s = w::LoadAds(db.get(), plan, 0, plan.batches);
  if (!s.ok()) {
    fmt::print(stderr, "load failed: {}\n", s.ToString());
    return 1;
  }
  double load = std::chrono::duration<double>(Clock::now() - t0).count();
  fmt::print("ads {}: ingest {} facts in {} commits: {:.2f} s, {:.2f} M facts/s\n",
             w::ScaleName(scale), plan.num_facts(), plan.batches, load,
             plan.num_facts() / load / 1e6);

  auto report = OrDie(
      w::MeasureQueries(db.get(), plan, absl::GetFlag(FLAGS_q3),
                        absl::GetFlag(FLAGS_q4)),
      "queries");
  fmt::print("as ingested:\n");
  Layout(*db, report.q1_rows);
  w::PrintQueryReport(report);

  t0 = Clock::now();
  if (auto c = db->CompactNow(); !c.ok()) {
    fmt::print(stderr, "CompactNow failed: {}\n", c.ToString());
    return 1;
  }
  fmt::print("CompactNow: {:.2f} s\n",
             std::chrono::duration<double>(Clock::now() - t0).count());
  report = OrDie(w::MeasureQueries(db.get(), plan, absl::GetFlag(FLAGS_q3),
                                   absl::GetFlag(FLAGS_q4)),
                 "queries");
  fmt::print("after CompactNow:\n");
  Layout(*db, report.q1_rows);
  w::PrintQueryReport(report);
  auto stats = db->Stats();
  fmt::print("compactions: {} cumulative, {} base; commit stalls {}; block cache "
             "hits {} misses {}\n",
             stats.cumulative_compactions, stats.base_compactions,
             stats.commit_stalls, stats.block_cache_hits,
             stats.block_cache_misses);
  fmt::print("peak RSS: {:.0f} MiB\n", PeakRssMiB());
  return 0;
}
