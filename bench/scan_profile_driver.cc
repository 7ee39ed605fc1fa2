// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Reruns the ads workload's Q2 (over the base table, no rollups) and Q5 (Q2 at
// version 50) on a database an ads_driver run left in --dir, so a profiler
// sees only the scan: `perf record -g scan_profile_driver --dir=... --runs=5`.

#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/workload/ads_scan_queries.h"

ABSL_FLAG(std::string, dir, "", "database directory an ads_driver run left");
ABSL_FLAG(int, runs, 3, "runs of each query");
ABSL_FLAG(std::string, queries, "q2,q5", "which of q2, q5 to run");

namespace {

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  mesa::Options options;
  options.history_versions = 100;
  options.background_threads = 0;
  auto db = mesa::Database::Open(options, absl::GetFlag(FLAGS_dir));
  if (!db.ok()) {
    fmt::print(stderr, "open: {}\n", db.status().ToString());
    return 1;
  }
  const std::string queries = absl::GetFlag(FLAGS_queries);
  for (uint64_t version : {uint64_t{0}, uint64_t{50}}) {
    if (queries.find(version == 0 ? "q2" : "q5") == std::string::npos) continue;
    auto reader = version == 0 ? (*db)->NewReader() : (*db)->NewReader(version);
    if (!reader.ok()) {
      fmt::print(stderr, "reader: {}\n", reader.status().ToString());
      return 1;
    }
    for (int i = 0; i < absl::GetFlag(FLAGS_runs); ++i) {
      const double cpu0 = ThreadCpuMs();
      auto t0 = std::chrono::steady_clock::now();
      auto r = mesa::workload::RunQ2GroupBy(**reader, /*use_rollups=*/false);
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
      if (!r.ok()) {
        fmt::print(stderr, "q2: {}\n", r.status().ToString());
        return 1;
      }
      const double cpu = ThreadCpuMs() - cpu0;
      fmt::print("{} @v{}: {} groups, checksum {}, {:.1f} ms ({:.1f} ms CPU)\n",
                 version == 0 ? "Q2" : "Q5", (*reader)->version(), r->groups,
                 r->checksum, ms, cpu);
    }
  }
  return 0;
}
