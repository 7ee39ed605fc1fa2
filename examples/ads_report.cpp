// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The Mesa paper's example (shared/paper_example.md): tables A and B, table
// C a rollup of B, the two update batches, and every table at each version,
// printed as the paper's figures 1 and 2 print them. Then the `ads`
// workload of shared/workloads.md with its rollup
// `ads_by_advertiser_country`, and Q2 answered through the rollup and by a
// group-by over the base table.
//
//   ads_report [--scale=small|default|large] [--dir=PATH]

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/database.h"
#include "src/workload/ads_queries.h"
#include "src/workload/program_util.h"

ABSL_FLAG(std::string, scale, "small", "ads workload scale: small, default, large");
ABSL_FLAG(std::string, dir, "", "database directory (default: a fresh temp dir)");

namespace {

namespace w = mesa::workload;
using mesa::Aggregation;
using mesa::ColumnType;
using mesa::Value;
using mesa::workload::Check;
using mesa::workload::OrDie;

// Dates as days since 1970-01-01.
constexpr int32_t k20131231 = 16070;
constexpr int32_t k20140101 = 16071;

std::string DateString(int64_t days) {
  return days == k20131231 ? "2013/12/31"
         : days == k20140101 ? "2014/01/01"
                             : fmt::format("day {}", days);
}

mesa::Schema PaperSchema(const char* id_column) {
  return *mesa::Schema::Create(
      {{"Date", ColumnType::kInt32}, {id_column, ColumnType::kInt64},
       {"Country", ColumnType::kString}},
      {{"Clicks", ColumnType::kInt64, Aggregation::kSum},
       {"Cost", ColumnType::kInt64, Aggregation::kSum}});
}

// Prints every row of `table` at the reader's version as a table.
void PrintTable(const mesa::VersionedReader& reader, const std::string& table) {
  auto scan = OrDie(reader.Scan(table, {}), "Scan");
  const std::vector<std::string> names = scan->column_names();
  std::string header = "  ";
  for (const std::string& n : names) header += fmt::format("{:>13}", n);
  fmt::print("{} @ version {}\n{}\n", table, reader.version(), header);
  mesa::RowCursor rows(std::move(scan));
  while (rows.Next()) {
    std::string line = "  ";
    for (size_t c = 0; c < names.size(); ++c) {
      const mesa::ColumnVector& col = rows.column(c);
      if (col.type() == ColumnType::kString) {
        line += fmt::format("{:>13}", rows.GetString(c));
      } else if (names[c] == "Date") {
        line += fmt::format("{:>13}", DateString(rows.GetInt64(c)));
      } else {
        line += fmt::format("{:>13}", rows.GetInt64(c));
      }
    }
    fmt::print("{}\n", line);
  }
  Check(rows.status(), "scan");
  fmt::print("\n");
}

void PaperExample(const std::string& dir) {
  mesa::Options options;
  options.background_threads = 0;
  auto db = OrDie(mesa::Database::Open(options, dir), "Database::Open");
  auto a = OrDie(db->CreateTable("A", PaperSchema("PublisherId")), "A");
  mesa::TableOptions b_options;
  b_options.rollups = {{"C", {"AdvertiserId", "Country"}, {}}};
  auto b = OrDie(db->CreateTable("B", PaperSchema("AdvertiserId"), b_options),
                 "B");
  struct Fact {
    const mesa::Table* table;
    int32_t date;
    int64_t id;
    const char* country;
    int64_t clicks, cost;
  };
  const std::vector<std::vector<Fact>> updates = {
      {{a.get(), k20131231, 100, "US", 10, 32},
       {a.get(), k20140101, 100, "US", 150, 80},
       {a.get(), k20140101, 200, "UK", 40, 20},
       {b.get(), k20131231, 1, "US", 10, 32},
       {b.get(), k20140101, 2, "UK", 40, 20},
       {b.get(), k20140101, 2, "US", 150, 80}},
      {{a.get(), k20140101, 100, "US", 55, 23},
       {a.get(), k20140101, 200, "UK", 60, 30},
       {b.get(), k20140101, 1, "US", 5, 3},
       {b.get(), k20140101, 2, "UK", 60, 30},
       {b.get(), k20140101, 2, "US", 50, 20}}};
  fmt::print("== The Mesa paper's example (figures 1 and 2) ==\n\n"
             "C is a rollup of B on (AdvertiserId, Country): each commit "
             "derives C's rows from B's and publishes both in one manifest "
             "record.\nThe paper's versions 0 and 1 are mesa's 1 and 2.\n\n");
  for (const auto& update : updates) {
    mesa::UpdateBatch batch;
    for (const Fact& f : update) {
      Check(batch.AddRow(*f.table, {f.date, f.id, f.country, f.clicks, f.cost}),
            "AddRow");
    }
    uint64_t v = OrDie(db->Commit(batch), "Commit");
    fmt::print("committed update {} as version {}\n", v - 1, v);
  }
  fmt::print("\n");
  for (uint64_t v = 1; v <= db->LatestVersion(); ++v) {
    auto reader = OrDie(db->NewReader(v), "NewReader");
    for (const char* t : {"A", "B", "C"}) PrintTable(*reader, t);
  }
}

void AdsRollup(const std::string& dir, w::Scale scale) {
  const w::BatchPlan plan = w::AdsPlan(scale);
  mesa::Options options;
  options.history_versions = plan.batches;
  auto db = OrDie(mesa::Database::Open(options, dir), "Database::Open");
  mesa::TableOptions ads_options;
  ads_options.rollups = {{"ads_by_advertiser_country",
                          {"advertiser_id", "country"},
                          {"clicks", "cost_micros"}}};
  OrDie(db->CreateTable("ads", w::AdsSchema(), ads_options), "CreateTable");
  fmt::print("== `ads` ({} scale: {} facts in {} commits) with its rollup "
             "ads_by_advertiser_country ==\n\n",
             w::ScaleName(scale), plan.num_facts(), plan.batches);
  // Most batches, then a second rollup added to the loaded table: it is
  // back-filled in the background while the last batches commit.
  const uint64_t late = plan.batches - plan.batches / 5;
  auto t0 = w::Clock::now();
  Check(w::LoadAds(db.get(), plan, 0, late), "load");
  fmt::print("ingest of {} batches (table and rollup): {:.2f} s\n", late,
             w::SecondsSince(t0));
  t0 = w::Clock::now();
  auto by_country = OrDie(
      db->AddRollup("ads", {"ads_by_country", {"country"}, {"clicks"}}),
      "AddRollup");
  Check(w::LoadAds(db.get(), plan, late, plan.batches), "load");
  const double during = w::SecondsSince(t0);
  while (!OrDie(db->GetTable("ads_by_country"), "GetTable")->ready()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  fmt::print(
      "AddRollup(ads_by_country) at version {}: {} more batches committed "
      "in {:.2f} s meanwhile; back-filled and caught up after {:.2f} s\n",
      late, plan.batches - late, during, w::SecondsSince(t0));
  Check(db->CompactNow(), "CompactNow");
  auto reader = OrDie(db->NewReader(), "NewReader");
  mesa::ScanSpec by_country_q;
  by_country_q.group_by = {"country"};
  by_country_q.columns = {"country", "clicks"};
  std::vector<std::pair<uint64_t, int64_t>> answers;
  for (bool use_rollups : {true, false}) {
    by_country_q.use_rollups = use_rollups;
    auto scan = OrDie(reader->Scan("ads", by_country_q), "by country");
    int64_t clicks = 0;
    uint64_t rows = 0;
    while (scan->Next()) {
      const mesa::RowBatch& b = scan->batch();
      rows += b.num_rows();
      for (size_t r = 0; r < b.num_rows(); ++r) clicks += b.column(1).GetInt64(r);
    }
    Check(scan->status(), "by country");
    fmt::print("clicks by country from {}: {} countries, {} clicks\n",
               scan->Explain().source, rows, clicks);
    answers.emplace_back(rows, clicks);
  }
  if (answers[0] != answers[1]) {
    fmt::print(stderr, "the back-filled rollup disagrees with its table\n");
    std::exit(1);
  }

  // Q2 twice: as a GROUP BY on `ads` (the planner reads the smallest
  // rollup that answers it) and with rollups off, scanning the base table.
  mesa::ScanSpec q2;
  q2.group_by = {"advertiser_id", "country"};
  q2.columns = {"advertiser_id", "country", "clicks", "cost_micros"};
  q2.batch_rows = 4096;
  struct Answer {
    uint64_t groups = 0;
    int64_t cost = 0;
    double ms = 0;
    mesa::ScanExplain explain;
  };
  auto run = [&](const mesa::ScanSpec& spec) {
    Answer a;
    auto t = w::Clock::now();
    auto scan = OrDie(reader->Scan("ads", spec), "Q2");
    while (scan->Next()) {
      const mesa::RowBatch& b = scan->batch();
      a.groups += b.num_rows();
      for (size_t r = 0; r < b.num_rows(); ++r) a.cost += b.column(3).GetInt64(r);
    }
    Check(scan->status(), "Q2 scan");
    a.ms = w::SecondsSince(t) * 1e3;
    a.explain = scan->Explain();
    return a;
  };
  run(q2);  // warm the block cache: both runs below read cached blocks
  const Answer through_rollup = run(q2);
  mesa::ScanSpec base_spec = q2;
  base_spec.use_rollups = false;
  run(base_spec);
  const Answer base = run(base_spec);
  for (const auto& [what, a] :
       {std::pair<const char*, const Answer&>{"as planned", through_rollup},
        {"over the base table", base}}) {
    fmt::print("Q2 @v{} {}: {} groups, SUM(cost_micros) {}, {:.1f} ms\n{}\n",
               reader->version(), what, a.groups, a.cost, a.ms,
               a.explain.ToString());
  }
  if (through_rollup.groups != base.groups || through_rollup.cost != base.cost) {
    fmt::print(stderr, "the rollup disagrees with its table\n");
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto scale = OrDie(w::ParseScale(absl::GetFlag(FLAGS_scale)), "--scale");
  const std::string dir =
      w::FreshDirectory(absl::GetFlag(FLAGS_dir), "mesa_ads_report");
  std::filesystem::create_directories(dir);
  PaperExample(dir + "/paper");
  AdsRollup(dir + "/ads", scale);
  return 0;
}
