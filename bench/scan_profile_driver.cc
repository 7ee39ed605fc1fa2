// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Reruns ads workload scans on a database left in --dir, so a profiler sees
// only the scan: Q2 (over the base table, no rollups), Q5 (Q2 at version
// 50), Q1 (full scan, every column, in key order) and Q1 at version 50:
// `perf record -g scan_profile_driver --dir=... --queries=q1 --runs=5`.
// --load=<scale> first fills a fresh --dir with the ads workload, one
// commit per batch, compaction inline (the layout ingest leaves, which
// ads_driver compacts away before it exits).

#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/workload/ads_queries.h"
#include "src/workload/ads_scan_queries.h"
#include "src/workload/program_util.h"
#include "src/workload/workload.h"

ABSL_FLAG(std::string, dir, "", "database directory an ads_driver run left");
ABSL_FLAG(std::string, load, "",
          "small, default or large: first load the ads workload into a "
          "fresh --dir (background_threads=0)");
ABSL_FLAG(int, runs, 3, "runs of each query");
ABSL_FLAG(std::string, queries, "q2,q5",
          "which of q1, q1v50, q2, q5 to run (q1 first, then q1v50, ...)");
ABSL_FLAG(uint64_t, block_cache_mib, 256, "block cache capacity in MiB");

namespace {

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool Wants(const std::string& queries, const std::string& q) {
  return ("," + queries + ",").find("," + q + ",") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace w = mesa::workload;
  const std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) {
    fmt::print(stderr, "--dir is required\n");
    return 1;
  }
  mesa::Options options;
  options.history_versions = 100;
  options.background_threads = 0;
  options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mib) << 20;
  if (!absl::GetFlag(FLAGS_load).empty()) {
    auto scale = w::OrDie(w::ParseScale(absl::GetFlag(FLAGS_load)), "--load");
    const w::BatchPlan plan = w::AdsPlan(scale);
    options.history_versions = plan.batches;
    auto db = w::OrDie(
        mesa::Database::Open(options, w::FreshDirectory(dir, "unused")),
        "open");
    w::Check(w::LoadAds(db.get(), plan, 0, plan.batches), "load");
    fmt::print("loaded {} facts in {} commits into {}\n", plan.num_facts(),
               plan.batches, dir);
  }
  auto db = mesa::Database::Open(options, dir);
  if (!db.ok()) {
    fmt::print(stderr, "open: {}\n", db.status().ToString());
    return 1;
  }
  const std::string queries = absl::GetFlag(FLAGS_queries);
  struct Query {
    const char* name;
    uint64_t version;  // 0: the latest
    bool q1;
  };
  for (const Query& q : {Query{"q1", 0, true}, Query{"q1v50", 50, true},
                         Query{"q2", 0, false}, Query{"q5", 50, false}}) {
    if (!Wants(queries, q.name)) continue;
    auto reader =
        q.version == 0 ? (*db)->NewReader() : (*db)->NewReader(q.version);
    if (!reader.ok()) {
      fmt::print(stderr, "reader: {}\n", reader.status().ToString());
      return 1;
    }
    for (int i = 0; i < absl::GetFlag(FLAGS_runs); ++i) {
      const double cpu0 = ThreadCpuMs();
      auto t0 = std::chrono::steady_clock::now();
      uint64_t rows = 0;
      int64_t checksum = 0;
      if (q.q1) {
        auto r = w::RunQ1(**reader);
        if (!r.ok()) {
          fmt::print(stderr, "q1: {}\n", r.status().ToString());
          return 1;
        }
        rows = r->rows;
        checksum = r->checksum;
      } else {
        auto r = w::RunQ2GroupBy(**reader, /*use_rollups=*/false);
        if (!r.ok()) {
          fmt::print(stderr, "q2: {}\n", r.status().ToString());
          return 1;
        }
        rows = r->groups;
        checksum = r->checksum;
      }
      const double ms = std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
      const double cpu = ThreadCpuMs() - cpu0;
      fmt::print("{} @v{}: {} rows, checksum {}, {:.1f} ms ({:.1f} ms CPU, "
                 "{:.1f} M rows/s by CPU)\n",
                 q.name, (*reader)->version(), rows, checksum, ms, cpu,
                 q.q1 ? rows / cpu / 1e3 : 0.0);
    }
  }
  return 0;
}
