// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Q3 and Q4 of workload ads on an existing database (made by
// `ads_driver --dir=DIR`), without ingesting again: for profiling the
// seek and point-read paths (`perf record`) and quick A/B runs. The
// figures of record come from ads_driver (docs/performance.md).

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "mesa/query.h"
#include "src/workload/ads_queries.h"
#include "src/workload/program_util.h"
#include "src/workload/workload.h"

ABSL_FLAG(std::string, dir, "", "an ads database (ads_driver --dir)");
ABSL_FLAG(uint64_t, q3, 1000, "Q3 queries per round");
ABSL_FLAG(uint64_t, q4, 100000, "Q4 lookups per round");
ABSL_FLAG(int, rounds, 3, "rounds (each prints its p50/p99)");
ABSL_FLAG(uint64_t, block_cache_mib, 640, "block cache capacity in MiB");
ABSL_FLAG(bool, setup_only, false,
          "time only Q3's Scan() call (planning, cursor set-up and seeks)");
ABSL_FLAG(bool, explain, true, "print the Explain of the first Q3 query");
ABSL_FLAG(bool, q3_batches, false,
          "read Q3's rows with Next() and batch() (copied) instead of "
          "RunQ3's NextView() (views of the block cache)");

namespace {

namespace w = mesa::workload;
using Clock = std::chrono::steady_clock;

// The calling thread's CPU time in microseconds (the machine is shared).
double CpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// Q3's sums of cost, so that reading the column is not optimized away.
int64_t checksum = 0;

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  mesa::Options options;
  options.background_threads = 0;
  options.history_versions = 100;
  options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mib) << 20;
  auto db = w::OrDie(
      mesa::Database::Open(options, absl::GetFlag(FLAGS_dir)), "open");
  auto reader = w::OrDie(db->NewReader(), "reader");
  const uint64_t facts = 10000000;
  if (absl::GetFlag(FLAGS_explain)) {
    w::Q3AdvertiserStream s;
    mesa::ScanSpec spec;
    spec.key_prefix = {s.Next()};
    spec.lower = w::kQ3DateBegin;
    spec.upper = w::kQ3DateEnd;
    auto c = w::OrDie(reader->Scan("ads", spec), "scan");
    while (c->Next()) {
    }
    fmt::print("{}\n", c->Explain().ToString());
  }
  // Warm: every Q4 key and every Q3 query once.
  for (uint64_t k = 0; k < w::kQ4Lookups; ++k) {
    w::OrDie(w::RunQ4(*reader, w::Q4FactIndex(k, facts)), "Q4");
  }
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    std::vector<double> us, cpu3;
    std::vector<std::pair<double, uint64_t>> by_time;
    w::Q3AdvertiserStream s;
    uint64_t rows = 0;
    for (uint64_t j = 0; j < absl::GetFlag(FLAGS_q3); ++j) {
      int64_t a = s.Next();
      const double c0 = CpuUs();
      auto t = Clock::now();
      if (absl::GetFlag(FLAGS_setup_only)) {
        mesa::ScanSpec spec;
        spec.key_prefix = {a};
        spec.lower = w::kQ3DateBegin;
        spec.upper = w::kQ3DateEnd;
        auto c = w::OrDie(reader->Scan("ads", spec), "scan");
      } else if (absl::GetFlag(FLAGS_q3_batches)) {
        mesa::ScanSpec spec;
        spec.key_prefix = {a};
        spec.lower = w::kQ3DateBegin;
        spec.upper = w::kQ3DateEnd;
        auto c = w::OrDie(reader->Scan("ads", spec), "scan");
        uint64_t got = 0;
        int64_t sum = 0;
        while (c->Next()) {
          got += c->batch().num_rows();
          for (uint64_t x : c->batch().column(w::kAdsCostMicros).words()) {
            sum += static_cast<int64_t>(x);
          }
        }
        if (!c->status().ok()) {
          fmt::print(stderr, "Q3: {}\n", c->status().ToString());
          return 1;
        }
        checksum += sum;
        rows += got;
        by_time.emplace_back(
            std::chrono::duration<double>(Clock::now() - t).count() * 1e6,
            got);
      } else {
        uint64_t got = w::OrDie(w::RunQ3(*reader, a), "Q3").rows;
        rows += got;
        by_time.emplace_back(
            std::chrono::duration<double>(Clock::now() - t).count() * 1e6,
            got);
      }
      us.push_back(std::chrono::duration<double>(Clock::now() - t).count() *
                   1e6);
      cpu3.push_back(CpuUs() - c0);
    }
    std::sort(by_time.begin(), by_time.end());
    if (!by_time.empty()) {
      const size_t m = by_time.size();
      fmt::print("  Q3 queries around the median time: rows {} {} {}\n",
                 by_time[m * 45 / 100].second, by_time[m / 2].second,
                 by_time[m * 55 / 100].second);
    }
    std::vector<double> us4, cpu4;
    uint64_t hits = 0;
    const uint64_t n4 = absl::GetFlag(FLAGS_q4);
    for (uint64_t k = 0; k < w::kQ4Lookups && k < n4; ++k) {
      const double c0 = CpuUs();
      auto t = Clock::now();
      hits += w::OrDie(w::RunQ4(*reader, w::Q4FactIndex(k, facts)), "Q4")
                  .rows;
      us4.push_back(std::chrono::duration<double>(Clock::now() - t).count() *
                    1e6);
      cpu4.push_back(CpuUs() - c0);
    }
    fmt::print("Q3 {} rows p50 {:.1f} us p99 {:.1f} us | Q4 {} hits p50 {:.2f} "
               "us p99 {:.2f} us\n",
               rows, Pct(us, 0.5), Pct(us, 0.99), hits, Pct(us4, 0.5),
               Pct(us4, 0.99));
    fmt::print("   CPU: Q3 p50 {:.1f} us p99 {:.1f} us | Q4 p50 {:.2f} us p99 "
               "{:.2f} us\n",
               Pct(cpu3, 0.5), Pct(cpu3, 0.99), Pct(cpu4, 0.5), Pct(cpu4, 0.99));
  }
  return 0;
}
