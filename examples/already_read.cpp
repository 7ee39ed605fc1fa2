// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The already-read cache on the `already_read` workload of
// shared/workloads.md: loads the read history into a mesa table, then
// serves R1 queries ("which of these 400 candidates has the user not read?")
// through an AlreadyReadCache backed by that table, and prints the hit
// rate, the false-positive rate against the exact answer, and throughput.
//
//   already_read --scale=small|default [--queries=20000] [--dir=PATH]

#include <chrono>
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/already_read_cache.h"
#include "mesa/database.h"
#include "mesa/read_history_store.h"
#include "src/workload/program_util.h"
#include "src/workload/workload.h"

ABSL_FLAG(std::string, scale, "small", "workload scale: small or default");
ABSL_FLAG(uint64_t, queries, 20000, "R1 queries to serve");
ABSL_FLAG(std::string, dir, "", "database directory (default: a temp dir)");

namespace {

using mesa::workload::Clock;
using mesa::workload::SecondsSince;
using mesa::workload::Check;
using mesa::workload::OrDie;

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace w = mesa::workload;
  auto scale = OrDie(w::ParseScale(absl::GetFlag(FLAGS_scale)), "--scale");
  const w::BatchPlan plan = OrDie(w::ReadsPlan(scale), "--scale");
  const std::string dir =
      mesa::workload::FreshDirectory(absl::GetFlag(FLAGS_dir), "mesa_already_read");

  auto db = OrDie(mesa::Database::Open(mesa::Options(), dir), "open");
  auto table = OrDie(db->CreateTable("reads", w::ReadsSchema()), "create");
  auto t0 = Clock::now();
  mesa::RowBatch rows(w::ReadsSchema());
  for (uint64_t b = 0; b < plan.batches; ++b) {
    w::FillReadsBatch(plan.begin(b), plan.end(b), &rows);
    mesa::UpdateBatch batch;
    Check(batch.AddRows(*table, rows), "AddRows");
    OrDie(db->Commit(batch), "Commit");
  }
  Check(db->CompactNow(), "CompactNow");
  fmt::print("loaded {} reads in {} commits and compacted: {:.2f} s\n",
             plan.num_facts(), plan.batches, SecondsSince(t0));

  auto store = OrDie(mesa::MesaReadHistoryStore::Open(db.get(), "reads"),
                     "store");
  mesa::AlreadyReadCacheOptions options;
  options.name = "feed";
  options.write_through = store->Writer();
  auto cache = OrDie(mesa::AlreadyReadCache::Create(options, store.get()),
                     "cache");

  // Serve R1: the first pass over each user misses and loads; repeats hit.
  const uint64_t queries = absl::GetFlag(FLAGS_queries);
  w::R1QueryStream stream;
  w::R1Query q;
  std::vector<int64_t> unread;
  uint64_t candidates = 0;
  t0 = Clock::now();
  for (uint64_t j = 0; j < queries; ++j) {
    stream.Next(&q);
    Check(cache->FilterUnread(q.user_id, q.candidates, &unread), "R1");
    candidates += q.candidates.size();
  }
  double served = SecondsSince(t0);
  cache->WaitForBackgroundWork();

  // Accuracy, untimed: the same queries against the exact answer.
  w::R1QueryStream again;
  uint64_t read = 0, unread_total = 0, false_positives = 0, misses = 0;
  for (uint64_t j = 0; j < std::min<uint64_t>(queries, 2000); ++j) {
    again.Next(&q);
    Check(cache->FilterUnread(q.user_id, q.candidates, &unread), "R1");
    auto exact = OrDie(store->ExactCheck(q.user_id, q.candidates), "exact");
    std::vector<int64_t> sorted(unread.begin(), unread.end());
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < q.candidates.size(); ++i) {
      bool kept =
          std::binary_search(sorted.begin(), sorted.end(), q.candidates[i]);
      if (exact[i]) {
        ++read;
        misses += kept;  // a false negative: must never happen
      } else {
        ++unread_total;
        false_positives += !kept;
      }
    }
    // R2: everything the user has read must be reported read.
    auto history = OrDie(store->LoadItems(q.user_id), "R2");
    Check(cache->FilterUnread(q.user_id, history, &unread), "R1 on history");
    read += history.size();
    misses += unread.size();
  }
  auto stats = cache->Stats();
  fmt::print("served {} R1 queries ({} candidates) in {:.3f} s: {:.0f} queries/s, "
             "{:.1f} M checks/s (including first loads)\n",
             queries, candidates, served, queries / served,
             candidates / served / 1e6);
  fmt::print("cache '{}': {} lookups, hit rate {:.1f} %, {} loads, {} users, "
             "{:.1f} MB\n",
             stats.name, stats.lookups,
             100.0 * stats.hits / std::max<uint64_t>(1, stats.lookups),
             stats.loads, stats.users, stats.bytes / 1e6);
  fmt::print("accuracy on 2000 queries and their users' histories: {} read "
             "items checked, {} reported unread "
             "(false negatives, must be 0); false-positive rate {:.3f} % "
             "(estimated {:.3f} %)\n",
             read, misses, 100.0 * false_positives / std::max<uint64_t>(1, unread_total),
             100.0 * stats.estimated_false_positive_rate);
  return misses == 0 ? 0 : 1;
}
