// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The README's demo: loads the `ads` workload of shared/workloads.md into a
// mesa Database, one commit per batch, then runs Q1, Q3, Q4 and Q5 at the
// latest and at a historical version, before and after compaction, and
// prints a short report with timings.
//
//   ads_workload --scale=small|default|large [--dir=PATH]

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/workload/ads_queries.h"
#include "src/workload/program_util.h"

ABSL_FLAG(std::string, scale, "small", "workload scale: small, default, large");
ABSL_FLAG(std::string, dir, "", "database directory (default: a fresh temp dir)");

namespace {

using mesa::workload::Clock;
using mesa::workload::SecondsSince;
using mesa::workload::Check;
using mesa::workload::OrDie;

uint64_t BytesOnDisk(const mesa::Database& db) {
  uint64_t bytes = 0;
  for (const auto& t : db.Stats().tables) {
    for (const auto& d : t.deltas) bytes += d.bytes;
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace w = mesa::workload;
  auto scale = OrDie(w::ParseScale(absl::GetFlag(FLAGS_scale)), "--scale");
  const w::BatchPlan plan = w::AdsPlan(scale);
  const std::string dir =
      mesa::workload::FreshDirectory(absl::GetFlag(FLAGS_dir), "mesa_ads_demo");

  mesa::Options options;
  options.history_versions = plan.batches;  // every version stays readable
  auto db = OrDie(mesa::Database::Open(options, dir), "Database::Open");

  fmt::print("mesa demo: workload `ads`, scale {} ({} batches of {} facts) in {}\n\n",
             w::ScaleName(scale), plan.batches, plan.rows_per_batch, dir);
  auto t0 = Clock::now();
  Check(w::LoadAds(db.get(), plan, 0, plan.batches), "load");
  double load_s = SecondsSince(t0);
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
  mesa::workload::PrintQueryReport(
      OrDie(w::MeasureQueries(db.get(), plan, 1000, 10000), "queries"));

  t0 = Clock::now();
  Check(db->CompactNow(), "CompactNow");
  fmt::print("\nCompactNow: {:.2f} s\n", SecondsSince(t0));
  describe("after compaction");
  mesa::workload::PrintQueryReport(
      OrDie(w::MeasureQueries(db.get(), plan, 1000, 10000), "queries"));

  auto before = OrDie(db->Checksum("ads", db->LatestVersion()), "Checksum");
  fmt::print("\nchecksum of `ads` @v{}: {:016x}\n", db->LatestVersion(), before);
  return 0;
}
