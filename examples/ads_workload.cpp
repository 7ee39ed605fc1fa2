// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The README's demo: loads the `ads` workload of shared/workloads.md into a
// mesa Database, one commit per batch, then runs Q1, Q3, Q4 and Q5 at the
// latest and at a historical version, before and after compaction, and
// prints a short report with timings.
//
//   ads_workload --scale=small|default|large [--dir=PATH]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/workload/ads_queries.h"

ABSL_FLAG(std::string, scale, "small", "workload scale: small, default, large");
ABSL_FLAG(std::string, dir, "", "database directory (default: a fresh temp dir)");

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

template <typename T>
T OrDie(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    fmt::print(stderr, "{} failed: {}\n", what, v.status().ToString());
    std::exit(1);
  }
  return std::move(*v);
}

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    fmt::print(stderr, "{} failed: {}\n", what, s.ToString());
    std::exit(1);
  }
}

struct Latency {
  std::vector<double> us;
  double Percentile(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))];
  }
};

uint64_t BytesOnDisk(const mesa::Database& db) {
  uint64_t bytes = 0;
  for (const auto& t : db.Stats().tables) {
    for (const auto& d : t.deltas) bytes += d.bytes;
  }
  return bytes;
}

void RunQueries(mesa::Database* db, const mesa::workload::BatchPlan& plan,
                const char* label) {
  namespace w = mesa::workload;
  auto reader = OrDie(db->NewReader(), "NewReader");
  const uint64_t latest = reader->version();
  auto t0 = Clock::now();
  auto q1 = OrDie(w::RunQ1(*reader), "Q1");
  double q1_s = Seconds(t0);
  fmt::print("  Q1 full scan @v{:<4}        {:>10} rows  {:8.1f} ms  {:7.1f} M rows/s\n",
             latest, q1.rows, q1_s * 1e3, q1.rows / q1_s / 1e6);

  Latency q3;
  w::Q3AdvertiserStream advertisers;
  uint64_t q3_rows = 0;
  for (int j = 0; j < 1000; ++j) {
    auto t = Clock::now();
    auto r = OrDie(w::RunQ3(*reader, advertisers.Next()), "Q3");
    q3.us.push_back(Seconds(t) * 1e6);
    q3_rows += r.rows;
  }
  fmt::print("  Q3 report x1000             {:>10} rows  p50 {:7.1f} us  p99 {:7.1f} us\n",
             q3_rows, q3.Percentile(0.5), q3.Percentile(0.99));

  Latency q4;
  uint64_t found = 0;
  const uint64_t n = plan.num_facts();
  for (uint64_t k = 0; k < 10000; ++k) {
    auto t = Clock::now();
    auto r = OrDie(w::RunQ4(*reader, w::Q4FactIndex(k * 10, n)), "Q4");
    q4.us.push_back(Seconds(t) * 1e6);
    found += r.rows;
  }
  fmt::print("  Q4 point x10000             {:>10} hits  p50 {:7.1f} us  p99 {:7.1f} us\n",
             found, q4.Percentile(0.5), q4.Percentile(0.99));

  const uint64_t half = plan.batches / 2;
  auto old_reader = OrDie(db->NewReader(half), "NewReader(B/2)");
  t0 = Clock::now();
  auto q5 = OrDie(w::RunQ2(*old_reader), "Q5");
  fmt::print("  Q5 = Q2 @v{:<4}             {:>10} groups {:7.1f} ms\n", half,
             q5.rows, Seconds(t0) * 1e3);
  t0 = Clock::now();
  auto q1_old = OrDie(w::RunQ1(*old_reader), "Q1 @B/2");
  fmt::print("  Q1 @v{:<4}                  {:>10} rows  {:8.1f} ms\n", half,
             q1_old.rows, Seconds(t0) * 1e3);
  (void)label;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace w = mesa::workload;
  auto scale = OrDie(w::ParseScale(absl::GetFlag(FLAGS_scale)), "--scale");
  const w::BatchPlan plan = w::AdsPlan(scale);
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) {
    dir = (std::filesystem::temp_directory_path() / "mesa_ads_demo").string();
  }
  std::filesystem::remove_all(dir);

  mesa::Options options;
  options.history_versions = plan.batches;  // every version stays readable
  auto db = OrDie(mesa::Database::Open(options, dir), "Database::Open");

  fmt::print("mesa demo: workload `ads`, scale {} ({} batches of {} facts) in {}\n\n",
             w::ScaleName(scale), plan.batches, plan.rows_per_batch, dir);
  auto t0 = Clock::now();
  Check(w::LoadAds(db.get(), plan, 0, plan.batches), "load");
  double load_s = Seconds(t0);
  fmt::print("ingest: {} facts in {:.2f} s = {:.2f} M facts/s, {} versions\n",
             plan.num_facts(), load_s, plan.num_facts() / load_s / 1e6,
             db->LatestVersion());

  auto describe = [&](const char* when) {
    auto stats = db->Stats();
    uint64_t rows = 0, deltas = 0;
    for (const auto& t : stats.tables) {
      for (const auto& d : t.deltas) rows += d.rows, ++deltas;
    }
    fmt::print("\n{}: {} live deltas, {} rows in them, {:.2f} MB on disk, "
               "{} cumulative + {} base compactions\n",
               when, deltas, rows, BytesOnDisk(*db) / 1e6,
               stats.cumulative_compactions, stats.base_compactions);
  };
  describe("as ingested");
  RunQueries(db.get(), plan, "before");

  t0 = Clock::now();
  Check(db->CompactNow(), "CompactNow");
  fmt::print("\nCompactNow: {:.2f} s\n", Seconds(t0));
  describe("after compaction");
  RunQueries(db.get(), plan, "after");

  auto before = OrDie(db->Checksum("ads", db->LatestVersion()), "Checksum");
  fmt::print("\nchecksum of `ads` @v{}: {:016x}\n", db->LatestVersion(), before);
  return 0;
}
