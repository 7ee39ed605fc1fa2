// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The `already_read` workload driver (shared/workloads.md) on the store
// itself, on one core: ingest facts/s into the table (user_id, doc_id) ->
// read_at MAX, bytes on disk per row, R1 answered exactly from the store
// (MesaReadHistoryStore::ExactCheck) and R2 (LoadItems), p50/p99 each;
// then R1 by point lookups, R1 through an AlreadyReadCache over the store,
// and MarkRead written through to the store from 1 and 16 threads. Every
// answer is checked against a reference built from the generator.
//
//   already_read_driver --scale=default [--dir=PATH] [--queries=20000]
//       [--history_versions=1] [--codec=zstd] [--zstd_level=1]
//       [--block_size=65536] [--bloom_bits_per_key=0] [--block_cache_mib=256]
//       [--get_queries=2000] [--mark_read_calls=1000] [--ingest=false]
//       [--write_background_threads=1] [--write_history_versions=100000]

#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "fmt/format.h"
#include "mesa/already_read_cache.h"
#include "mesa/database.h"
#include "mesa/read_history_store.h"
#include "src/workload/program_util.h"
#include "src/workload/workload.h"

ABSL_FLAG(std::string, scale, "default", "small or default");
ABSL_FLAG(std::string, dir, "", "database directory (default: a temp dir)");
ABSL_FLAG(uint64_t, queries, 20000, "R1 and R2 queries per pass");
ABSL_FLAG(uint64_t, history_versions, 1,
          "versions kept readable (1: the store keeps the latest state only)");
ABSL_FLAG(std::string, codec, "zstd", "none, snappy or zstd");
ABSL_FLAG(int, zstd_level, 1, "ZSTD level");
ABSL_FLAG(uint64_t, block_size, 64 * 1024, "delta-file block size, bytes");
ABSL_FLAG(int, bloom_bits_per_key, 0, "per-file key Bloom filter bits/key");
ABSL_FLAG(uint64_t, block_cache_mib, 256, "Options::block_cache_bytes, MiB");
ABSL_FLAG(uint64_t, get_queries, 2000,
          "R1 queries also answered by one VersionedReader::Get per "
          "candidate, to compare with ExactCheck's scan");
ABSL_FLAG(uint64_t, mark_read_calls, 1000,
          "AlreadyReadCache::MarkRead calls of 16 docs written through to "
          "the store from 1 thread (and 4x as many from 16 threads)");
ABSL_FLAG(int, write_background_threads, 1,
          "background compaction threads while MarkRead writes through");
ABSL_FLAG(uint64_t, write_history_versions, 100000,
          "history_versions while MarkRead writes through: a deep window "
          "keeps base compaction (a rewrite of the whole table) out of the "
          "way of small commits");
ABSL_FLAG(bool, ingest, true,
          "load the facts into a fresh --dir; false: query the table a "
          "previous run left in --dir");

namespace {

namespace w = mesa::workload;
using w::Clock;
using w::SecondsSince;
using w::Check;
using w::OrDie;

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// This thread's CPU time: on a shared machine, wall time also counts the
// time other processes hold the core.
double ThreadCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 +
         static_cast<double>(ts.tv_nsec) / 1e3;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Per-query wall and CPU times, in microseconds.
struct Latencies {
  std::vector<double> wall, cpu;

  // Times fn() once.
  template <typename Fn>
  void Time(Fn&& fn) {
    const double c0 = ThreadCpuMicros();
    const auto t0 = Clock::now();
    fn();
    const auto t1 = Clock::now();
    cpu.push_back(ThreadCpuMicros() - c0);
    wall.push_back(Micros(t0, t1));
  }
  std::string Summary() {
    const double total = std::accumulate(cpu.begin(), cpu.end(), 0.0);
    return fmt::format(
        "CPU p50 {:.1f} us, p99 {:.1f} us, p99.9 {:.1f} us, {:.0f} "
        "queries/s; wall p50 {:.1f} us, p99 {:.1f} us",
        Percentile(cpu, 0.5), Percentile(cpu, 0.99), Percentile(cpu, 0.999),
        cpu.size() / (total / 1e6), Percentile(wall, 0.5),
        Percentile(wall, 0.99));
  }
};

mesa::Codec ParseCodec(const std::string& name) {
  if (name == "none") return mesa::Codec::kNone;
  if (name == "snappy") return mesa::Codec::kSnappy;
  if (name == "zstd") return mesa::Codec::kZstd;
  fmt::print(stderr, "--codec must be none, snappy or zstd, not '{}'\n", name);
  std::exit(1);
}

// The exact history of each queried user, from the generator.
std::unordered_map<int64_t, std::vector<int64_t>> ReferenceHistories(
    const w::BatchPlan& plan, const std::vector<w::R1Query>& queries) {
  std::unordered_map<int64_t, std::vector<int64_t>> history;
  for (const auto& q : queries) history[q.user_id];
  w::AlreadyReadFactGenerator gen;
  for (uint64_t i = 0; i < plan.num_facts(); ++i) {
    w::AlreadyReadFact f = gen.Next();
    auto it = history.find(f.user_id);
    if (it != history.end()) it->second.push_back(f.doc_id);
  }
  for (auto& [user, docs] : history) {
    std::sort(docs.begin(), docs.end());
    docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
  }
  return history;
}

void PrintLayout(const mesa::Database& db, uint64_t facts) {
  uint64_t bytes = 0, rows = 0, deltas = 0;
  for (const auto& t : db.Stats().tables) {
    for (const auto& d : t.deltas) bytes += d.bytes, rows += d.rows, ++deltas;
  }
  fmt::print(
      "  {} live deltas, {} rows, {:.1f} MB: {:.2f} bytes per stored "
      "row, {:.2f} per fact\n",
      deltas, rows, bytes / 1e6,
      static_cast<double>(bytes) / static_cast<double>(rows),
      static_cast<double>(bytes) / static_cast<double>(facts));
}

// One pass of R1 then R2 over `queries`, every answer checked.
void RunQueries(mesa::MesaReadHistoryStore* store,
                const std::vector<w::R1Query>& queries,
                const std::unordered_map<int64_t, std::vector<int64_t>>& ref,
                const char* label) {
  Latencies r1, r2;
  uint64_t read = 0, history_items = 0;
  std::vector<std::vector<bool>> answers(queries.size());
  for (size_t j = 0; j < queries.size(); ++j) {
    const auto& q = queries[j];
    absl::StatusOr<std::vector<bool>> got;
    r1.Time([&] { got = store->ExactCheck(q.user_id, q.candidates); });
    Check(got.status(), "R1");
    answers[j] = std::move(*got);
  }
  std::vector<std::vector<int64_t>> histories(queries.size());
  for (size_t j = 0; j < queries.size(); ++j) {
    absl::StatusOr<std::vector<int64_t>> got;
    r2.Time([&] { got = store->LoadItems(queries[j].user_id); });
    Check(got.status(), "R2");
    histories[j] = std::move(*got);
  }
  // Untimed: every answer against the generator's.
  for (size_t j = 0; j < queries.size(); ++j) {
    const auto& q = queries[j];
    const std::vector<int64_t>& docs = ref.at(q.user_id);
    for (size_t i = 0; i < q.candidates.size(); ++i) {
      bool want = std::binary_search(docs.begin(), docs.end(), q.candidates[i]);
      if (answers[j][i] != want) {
        fmt::print(stderr, "R1 query {} user {} doc {}: got {}, want {}\n", j,
                   q.user_id, q.candidates[i], answers[j][i], want);
        std::exit(1);
      }
      read += want;
    }
    if (histories[j] != docs) {
      fmt::print(stderr, "R2 query {} user {}: {} docs, want {}\n", j,
                 q.user_id, histories[j].size(), docs.size());
      std::exit(1);
    }
    history_items += docs.size();
  }
  fmt::print("{}: {} queries, every answer checked against the generator\n",
             label, queries.size());
  fmt::print("  R1 exact (400 candidates, {} read): {}\n", read, r1.Summary());
  fmt::print("  R2 history ({:.1f} docs per query on average): {}\n",
             static_cast<double>(history_items) / queries.size(), r2.Summary());
}

// R1 by point lookups: one Get per candidate, through one reader per query.
void RunGets(mesa::Database* db, const std::vector<w::R1Query>& queries,
             const std::unordered_map<int64_t, std::vector<int64_t>>& ref) {
  Latencies lat;
  for (const auto& q : queries) {
    std::array<bool, w::kR1Candidates> got{};
    lat.Time([&] {
      auto reader = OrDie(db->NewReader(), "NewReader");
      for (size_t i = 0; i < q.candidates.size(); ++i) {
        mesa::Value key[2] = {mesa::Value(q.user_id),
                              mesa::Value(q.candidates[i])};
        got[i] = OrDie(reader->Get("reads", key), "Get").has_value();
      }
    });
    const std::vector<int64_t>& docs = ref.at(q.user_id);
    for (size_t i = 0; i < q.candidates.size(); ++i) {
      if (got[i] !=
          std::binary_search(docs.begin(), docs.end(), q.candidates[i])) {
        fmt::print(stderr, "R1 by Get, user {} doc {}: wrong answer\n",
                   q.user_id, q.candidates[i]);
        std::exit(1);
      }
    }
  }
  fmt::print("  R1 by 400 Gets instead ({} queries): {}\n", queries.size(),
             lat.Summary());
}

// R1 through an AlreadyReadCache over the store: the first pass misses
// (each miss answered by ExactCheck while the history loads in the
// background), the second hits. No read doc may be reported unread.
void RunCache(mesa::MesaReadHistoryStore* store,
              const std::vector<w::R1Query>& queries,
              const std::unordered_map<int64_t, std::vector<int64_t>>& ref) {
  mesa::AlreadyReadCacheOptions options;
  options.name = "r1";
  auto cache = OrDie(mesa::AlreadyReadCache::Create(options, store), "cache");
  for (const char* label : {"first pass (cold cache)", "second pass"}) {
    Latencies lat;
    uint64_t unread = 0, false_positives = 0;
    std::vector<bool> read;
    for (const auto& q : queries) {
      lat.Time([&] {
        Check(cache->AreRead(q.user_id, q.candidates, &read), "AreRead");
      });
      const std::vector<int64_t>& docs = ref.at(q.user_id);
      for (size_t i = 0; i < q.candidates.size(); ++i) {
        if (std::binary_search(docs.begin(), docs.end(), q.candidates[i])) {
          if (!read[i]) {
            fmt::print(stderr, "cache: user {} read doc {}, reported unread\n",
                       q.user_id, q.candidates[i]);
            std::exit(1);
          }
        } else {
          ++unread;
          false_positives += read[i];
        }
      }
    }
    cache->WaitForBackgroundWork();
    const auto stats = cache->Stats();
    fmt::print(
        "  R1 through the cache, {}: {}; {:.1f} M checks/s; {} of {} "
        "requests so far were misses ({} answered by ExactCheck); "
        "false positives {:.3f} %\n",
        label, lat.Summary(),
        queries.size() * w::kR1Candidates /
            (std::accumulate(lat.cpu.begin(), lat.cpu.end(), 0.0) / 1e6) / 1e6,
        stats.misses, stats.lookups, stats.exact_checks,
        100.0 * false_positives / std::max<uint64_t>(1, unread));
  }
}

// MarkRead writes for users above the workload's (user R1's user + this),
// so the workload's rows stay as generated and --ingest=false runs on the
// same table still check every R1 and R2 answer.
constexpr int64_t kWriteUserBase = 2000000;

// The 16 new docs of MarkRead call `j`.
std::array<int64_t, 16> NewDocs(uint64_t j) {
  std::array<int64_t, 16> docs;
  for (size_t i = 0; i < docs.size(); ++i) {
    docs[i] = 2000000000 + static_cast<int64_t>(j * docs.size() + i);
  }
  return docs;
}

// MarkRead through a cache whose write_through is the store, from `threads`
// threads (the store groups concurrent calls into one commit). Checked
// afterwards against the store.
void RunMarkRead(mesa::Database* db, mesa::MesaReadHistoryStore* store,
                 const std::vector<w::R1Query>& queries, uint64_t first,
                 uint64_t calls, int threads) {
  mesa::AlreadyReadCacheOptions options;
  options.name = "driver";
  options.write_through = store->Writer();
  auto cache = OrDie(mesa::AlreadyReadCache::Create(options, store), "cache");
  std::vector<Latencies> lat(threads);
  const uint64_t v0 = db->LatestVersion();
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t j = first + t; j < first + calls; j += threads) {
        const int64_t user =
            kWriteUserBase + queries[j % queries.size()].user_id;
        const auto docs = NewDocs(j);
        lat[t].Time([&] { Check(cache->MarkRead(user, docs), "MarkRead"); });
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double wall_s = SecondsSince(start);
  const uint64_t commits = db->LatestVersion() - v0;
  for (uint64_t j = first; j < first + calls; ++j) {
    const int64_t user = kWriteUserBase + queries[j % queries.size()].user_id;
    for (bool r : OrDie(store->ExactCheck(user, NewDocs(j)), "ExactCheck")) {
      if (!r) {
        fmt::print(stderr, "MarkRead: user {} lost a written doc\n", user);
        std::exit(1);
      }
    }
  }
  Latencies all;
  for (auto& l : lat) {
    all.wall.insert(all.wall.end(), l.wall.begin(), l.wall.end());
    all.cpu.insert(all.cpu.end(), l.cpu.begin(), l.cpu.end());
  }
  fmt::print(
      "  MarkRead of 16 docs written through, {} threads: {} calls in "
      "{} commits, {:.0f} rows/s; per call wall p50 {:.0f} us, p99 "
      "{:.0f} us\n",
      threads, calls, commits, calls * 16 / wall_s, Percentile(all.wall, 0.5),
      Percentile(all.wall, 0.99));
}

// Loads the facts in plan.batches commits and compacts; prints ingest
// speed and the layout.
void Ingest(mesa::Database* db, const w::BatchPlan& plan,
            const mesa::TableOptions& table_options) {
  auto table = OrDie(db->CreateTable("reads", w::ReadsSchema(), table_options),
                     "create table");
  // Ingest: the generator's time is kept apart from the store's.
  double generate = 0, commit = 0, stalled = 0, commit_cpu = 0;
  mesa::RowBatch rows(w::ReadsSchema());
  auto start = Clock::now();
  for (uint64_t b = 0; b < plan.batches; ++b) {
    auto t0 = Clock::now();
    w::FillReadsBatch(plan.begin(b), plan.end(b), &rows);
    auto t1 = Clock::now();
    mesa::UpdateBatch batch;
    Check(batch.AddRows(*table, rows), "AddRows");
    const uint64_t stalls = db->Stats().commit_stalls;
    const double c0 = ThreadCpuMicros();
    OrDie(db->Commit(batch), "Commit");
    commit_cpu += (ThreadCpuMicros() - c0) / 1e6;
    generate += std::chrono::duration<double>(t1 - t0).count();
    const double took = SecondsSince(t1);
    commit += took;
    // A stalled commit ran the due compactions inline first.
    if (db->Stats().commit_stalls != stalls) stalled += took;
  }
  double wall = SecondsSince(start);
  auto t0 = Clock::now();
  const double c0 = ThreadCpuMicros();
  Check(db->CompactNow(), "CompactNow");
  double compact = SecondsSince(t0);
  const double compact_cpu = (ThreadCpuMicros() - c0) / 1e6;
  const double facts = static_cast<double>(plan.num_facts());
  fmt::print(
      "already_read: {} facts in {} commits of {}; table options: {} "
      "level {}, {} B blocks, bloom {} bits/key; history_versions {}\n",
      plan.num_facts(), plan.batches, plan.rows_per_batch,
      absl::GetFlag(FLAGS_codec), absl::GetFlag(FLAGS_zstd_level),
      absl::GetFlag(FLAGS_block_size), absl::GetFlag(FLAGS_bloom_bits_per_key),
      absl::GetFlag(FLAGS_history_versions));
  const auto stats = db->Stats();
  fmt::print(
      "ingest: commits {:.2f} s = {:.2f} M facts/s (generator {:.2f} s "
      "more); {} stalled commits ran compactions inline, {:.2f} s of "
      "it; without them {:.2f} M facts/s; with the final CompactNow "
      "({:.2f} s): {:.2f} M facts/s\n",
      commit, facts / commit / 1e6, generate, stats.commit_stalls, stalled,
      facts * (plan.batches - stats.commit_stalls) / plan.batches /
          (commit - stalled) / 1e6,
      compact, facts / (wall - generate + compact) / 1e6);
  fmt::print(
      "ingest CPU time (this thread; every commit and compaction runs "
      "in it): commits {:.2f} s = {:.2f} M facts/s; with CompactNow "
      "({:.2f} s) {:.2f} M facts/s\n",
      commit_cpu, facts / commit_cpu / 1e6, compact_cpu,
      facts / (commit_cpu + compact_cpu) / 1e6);
  fmt::print("after CompactNow:\n");
  PrintLayout(*db, plan.num_facts());
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto scale = OrDie(w::ParseScale(absl::GetFlag(FLAGS_scale)), "--scale");
  const w::BatchPlan plan = OrDie(w::ReadsPlan(scale), "--scale");
  const bool ingest = absl::GetFlag(FLAGS_ingest);
  if (!ingest && absl::GetFlag(FLAGS_dir).empty()) {
    fmt::print(stderr, "--ingest=false needs --dir\n");
    return 1;
  }
  const std::string dir = ingest ? w::FreshDirectory(absl::GetFlag(FLAGS_dir),
                                                     "mesa_already_read_driver")
                                 : absl::GetFlag(FLAGS_dir);

  mesa::Options options;
  options.history_versions = absl::GetFlag(FLAGS_history_versions);
  options.background_threads = 0;  // one core: compaction runs inline
  options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mib) << 20;
  auto db = OrDie(mesa::Database::Open(options, dir), "open");
  mesa::TableOptions table_options;
  table_options.delta_file.codec = ParseCodec(absl::GetFlag(FLAGS_codec));
  table_options.delta_file.zstd_level = absl::GetFlag(FLAGS_zstd_level);
  table_options.delta_file.block_size = absl::GetFlag(FLAGS_block_size);
  table_options.delta_file.bloom_bits_per_key =
      absl::GetFlag(FLAGS_bloom_bits_per_key);
  if (ingest) {
    Ingest(db.get(), plan, table_options);
  } else {
    // An earlier run's write-through phase leaves many small deltas: fold
    // them in, as ingest's final CompactNow() does.
    Check(db->CompactNow(), "CompactNow");
    fmt::print("table left by an earlier run, after CompactNow:\n");
    PrintLayout(*db, plan.num_facts());
  }

  auto store =
      OrDie(mesa::MesaReadHistoryStore::Open(db.get(), "reads"), "store");
  std::vector<w::R1Query> queries(absl::GetFlag(FLAGS_queries));
  w::R1QueryStream stream;
  for (auto& q : queries) stream.Next(&q);
  auto ref = ReferenceHistories(plan, queries);
  RunQueries(store.get(), queries, ref, "pass 1 (block cache cold)");
  RunQueries(store.get(), queries, ref, "pass 2 (block cache warm)");
  const size_t gets =
      std::min<size_t>(absl::GetFlag(FLAGS_get_queries), queries.size());
  if (gets > 0) {
    RunGets(db.get(),
            std::vector<w::R1Query>(queries.begin(), queries.begin() + gets),
            ref);
  }
  fmt::print(
      "AlreadyReadCache over the store (no false negative against "
      "the generator):\n");
  RunCache(store.get(), queries, ref);
  auto stats = db->Stats();
  fmt::print("block cache hits {} misses {}\n", stats.block_cache_hits,
             stats.block_cache_misses);
  if (const uint64_t calls = absl::GetFlag(FLAGS_mark_read_calls)) {
    // Serving writes: compaction moves to its own thread, as in a service,
    // so a commit waits only when compaction falls behind.
    store.reset();
    db.reset();
    options.background_threads = absl::GetFlag(FLAGS_write_background_threads);
    options.history_versions = absl::GetFlag(FLAGS_write_history_versions);
    db = OrDie(mesa::Database::Open(options, dir), "reopen");
    store = OrDie(mesa::MesaReadHistoryStore::Open(db.get(), "reads"), "store");
    fmt::print(
        "write-through, {} background compaction threads, history_versions "
        "{} (every row found in the store afterwards):\n",
        options.background_threads, options.history_versions);
    RunMarkRead(db.get(), store.get(), queries, 0, calls, 1);
    RunMarkRead(db.get(), store.get(), queries, calls, 4 * calls, 16);
    fmt::print("  commits that waited for compaction: {}\n",
               db->Stats().commit_stalls);
  }
  return 0;
}
