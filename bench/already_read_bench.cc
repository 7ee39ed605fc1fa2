// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// AlreadyReadCache on one core, in memory (the loader generates histories;
// no mesa table is involved). docs/performance.md, "Already-read cache",
// has the figures and the commands.
//
//   BM_FilterUnread/R      400-candidate requests for random users with R
//                          reads each, over ~256 MiB of filters (cold in
//                          cache): checks/s, request p50/p99, bits per
//                          item and the measured false-positive rate
//   BM_FilterUnreadGrown/R the same, for users whose filters grew by 1/8
//                          after they were built (an overflow stage)
//   BM_FilterUnreadMany/R  8 users x 400 candidates per call
//   BM_MarkRead/B          MarkRead of B new items for random cached users
//   BM_FilterInsert        raw filter inserts into a 100 M-item filter
//   BM_Rebuild/R           building a user's filter from R loaded items
//   BM_SaveSnapshot, BM_WarmStart
//                          snapshot write and load speed (~256 MiB)
//   BM_R1Workload          workload `already_read` R1 queries (the exact
//                          generator of shared/workloads.md) over the
//                          facts of scale $MESA_BENCH_SCALE (small)
//
// Data volume: $MESA_BENCH_FILTER_MB (default 256) MiB of filters per
// fixture.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "benchmark/benchmark.h"
#include "mesa/already_read_cache.h"
#include "mesa/file_system.h"
#include "src/bloom/cache_shard.h"
#include "src/bloom/user_filter.h"
#include "src/workload/workload.h"

namespace mesa {
namespace {

using workload::DrawDocId;
using workload::SplitMix64;

uint64_t FilterBudgetBytes() {
  const char* env = std::getenv("MESA_BENCH_FILTER_MB");
  return (env != nullptr ? std::strtoull(env, nullptr, 10) : 256) << 20;
}

// User u's history: `reads` docs drawn as workload already_read draws them
// (1 + floor(1e9 * u^3)), from a stream of u's own.
class GeneratedHistory : public ReadHistoryLoader {
 public:
  explicit GeneratedHistory(size_t reads) : reads_(reads) {}
  absl::StatusOr<std::vector<int64_t>> LoadItems(int64_t user) override {
    SplitMix64 rng(0x5eed0000 + static_cast<uint64_t>(user) * 1000003);
    std::vector<int64_t> items(reads_);
    for (auto& x : items) x = DrawDocId(rng);
    return items;
  }

 private:
  const size_t reads_;
};

// A cache holding `users` users of `reads` reads each.
struct Fixture {
  size_t reads = 0;
  double grown = 0;
  int64_t users = 0;
  std::unique_ptr<GeneratedHistory> loader;
  std::unique_ptr<AlreadyReadCache> cache;
  double bits_per_item = 0;
  double fp_rate = 0;
};

// `grown`: after loading, each user reads that fraction of its history
// again in new items (through MarkRead), so its filter has an overflow stage.
std::unique_ptr<Fixture> MakeFixture(size_t reads, double overflow_fraction,
                                     uint64_t filter_bytes, double grown = 0) {
  auto f = std::make_unique<Fixture>();
  f->reads = reads;
  f->grown = grown;
  const double bytes_per_user = reads * 10.1 / 8 + internal::kEntryOverheadBytes;
  f->users = std::max<int64_t>(
      64, static_cast<int64_t>(filter_bytes / bytes_per_user));
  f->loader = std::make_unique<GeneratedHistory>(reads);
  AlreadyReadCacheOptions o;
  o.memory_budget_bytes = uint64_t{64} << 30;  // never evict here
  o.background_threads = 0;
  o.overflow_fraction = overflow_fraction;
  f->cache = AlreadyReadCache::Create(o, f->loader.get()).value();
  std::vector<bool> read;
  std::vector<int64_t> fresh(static_cast<size_t>(reads * grown));
  for (int64_t u = 1; u <= f->users; ++u) {
    (void)f->cache->AreRead(u, {1}, &read);  // loads u
    if (!fresh.empty()) {
      for (size_t i = 0; i < fresh.size(); ++i) {
        fresh[i] = 3000000000 + u * 10000000 + static_cast<int64_t>(i);
      }
      (void)f->cache->MarkRead(u, fresh);
    }
  }
  const AlreadyReadCacheStats s = f->cache->Stats();
  f->bits_per_item =
      8.0 * (s.bytes - internal::kEntryOverheadBytes * s.users) / s.items;
  // Docs are <= 1e9, so ids above that are never read: every "read" is a
  // false positive.
  SplitMix64 rng(99);
  uint64_t positives = 0, probes = 0;
  std::vector<int64_t> c(400);
  for (int k = 0; k < 2500; ++k) {
    for (auto& x : c) x = 2000000000 + static_cast<int64_t>(rng.next() >> 20);
    (void)f->cache->AreRead(1 + static_cast<int64_t>(rng.next() % f->users), c,
                            &read);
    positives += std::count(read.begin(), read.end(), true);
    probes += c.size();
  }
  f->fp_rate = static_cast<double>(positives) / probes;
  return f;
}

// One fixture alive at a time (they are large).
Fixture* GetFixture(size_t reads, double grown = 0) {
  static std::unique_ptr<Fixture> current;
  if (current == nullptr || current->reads != reads || current->grown != grown) {
    current.reset();
    current = MakeFixture(reads, 0.25, FilterBudgetBytes(), grown);
  }
  return current.get();
}

// Candidate lists: R1's doc distribution, stream seed 13.
const std::vector<int64_t>& CandidatePool() {
  static const std::vector<int64_t> pool = [] {
    SplitMix64 rng(workload::kR1DocSeed);
    std::vector<int64_t> p(1 << 20);
    for (auto& x : p) x = DrawDocId(rng);
    return p;
  }();
  return pool;
}

void ReportLatencies(benchmark::State& state, std::vector<double>* ns) {
  if (ns->empty()) return;
  std::sort(ns->begin(), ns->end());
  state.counters["p50_us"] = (*ns)[ns->size() / 2] / 1000;
  state.counters["p99_us"] = (*ns)[ns->size() * 99 / 100] / 1000;
}

void FilterUnreadLoop(benchmark::State& state, Fixture* f) {
  const std::vector<int64_t>& pool = CandidatePool();
  SplitMix64 rng(11);
  std::vector<int64_t> unread;
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  size_t at = 0;
  for (auto _ : state) {
    const int64_t user = 1 + static_cast<int64_t>(rng.next() % f->users);
    if (at + 400 > pool.size()) at = 0;
    const absl::Span<const int64_t> candidates(pool.data() + at, 400);
    at += 400;
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(f->cache->FilterUnread(user, candidates, &unread));
    const auto t1 = std::chrono::steady_clock::now();
    latencies.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * 400);
  ReportLatencies(state, &latencies);
  state.counters["users"] = static_cast<double>(f->users);
  state.counters["bits_per_item"] = f->bits_per_item;
  state.counters["fp_pct"] = 100 * f->fp_rate;
}

void BM_FilterUnread(benchmark::State& state) {
  FilterUnreadLoop(state, GetFixture(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_FilterUnread)->Arg(500)->Arg(5000)->Arg(10000)->Arg(50000)->Arg(500000);

// Users who read 1/8 more since their filter was built: every check of an
// unread candidate touches both stages (two cache lines).
void BM_FilterUnreadGrown(benchmark::State& state) {
  FilterUnreadLoop(state,
                   GetFixture(static_cast<size_t>(state.range(0)), 0.125));
}
BENCHMARK(BM_FilterUnreadGrown)->Arg(5000)->Arg(500000);

void BM_FilterUnreadMany(benchmark::State& state) {
  Fixture* f = GetFixture(static_cast<size_t>(state.range(0)));
  const std::vector<int64_t>& pool = CandidatePool();
  SplitMix64 rng(11);
  std::vector<std::vector<int64_t>> unread;
  std::vector<UserCandidates> requests(8);
  size_t at = 0;
  for (auto _ : state) {
    for (auto& r : requests) {
      if (at + 400 > pool.size()) at = 0;
      r.user = 1 + static_cast<int64_t>(rng.next() % f->users);
      r.candidates = absl::Span<const int64_t>(pool.data() + at, 400);
      at += 400;
    }
    benchmark::DoNotOptimize(f->cache->FilterUnreadMany(requests, &unread));
  }
  state.SetItemsProcessed(state.iterations() * 8 * 400);
}
BENCHMARK(BM_FilterUnreadMany)->Arg(5000)->Arg(500000);

// Users of 5 K reads (a quarter of the filter volume) with room for as many
// again before a rebuild; the iteration counts keep every user within that
// room, so no rebuild is timed.
void BM_MarkRead(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  static std::unique_ptr<Fixture> f;
  static size_t fixture_batch = 0;
  if (f == nullptr || fixture_batch != batch) {  // a fresh fixture per batch
    f.reset();
    f = MakeFixture(5000, 1.0, FilterBudgetBytes() / 4);
    fixture_batch = batch;
  }
  SplitMix64 rng(state.range(0));
  std::vector<int64_t> items(batch);
  for (auto _ : state) {
    for (auto& x : items) x = 2000000000 + static_cast<int64_t>(rng.next() >> 4);
    const int64_t user = 1 + static_cast<int64_t>(rng.next() % f->users);
    benchmark::DoNotOptimize(f->cache->MarkRead(user, items));
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["rebuilds"] = static_cast<double>(f->cache->Stats().rebuilds);
}
BENCHMARK(BM_MarkRead)->Arg(1)->Iterations(2000000);
BENCHMARK(BM_MarkRead)->Arg(16)->Iterations(1000000);
BENCHMARK(BM_MarkRead)->Arg(256)->Iterations(50000);

void BM_FilterInsert(benchmark::State& state) {
  const internal::FilterPolicy policy =
      internal::FilterPolicy::Make(64, 0.01, 0.25);
  constexpr uint64_t kCapacity = 100000000;
  auto filter = std::make_unique<internal::UserFilter>(
      1, 64, policy.MainBlocksFor(kCapacity), kCapacity);
  SplitMix64 rng(3);
  std::vector<int64_t> pool(1 << 20);
  for (auto& x : pool) x = static_cast<int64_t>(rng.next() >> 1);
  constexpr size_t kBatch = 1024;
  size_t at = 0;
  for (auto _ : state) {
    // A fresh value mix per pass over the pool keeps every insert new.
    if (at + kBatch > pool.size()) {
      at = 0;
      for (auto& x : pool) x += 0x12345;
    }
    filter->Insert(absl::Span<const int64_t>(pool.data() + at, kBatch), policy);
    at += kBatch;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["filter_MiB"] = filter->filter_bytes() / 1048576.0;
}
BENCHMARK(BM_FilterInsert)->Iterations(60000);

void BM_Rebuild(benchmark::State& state) {
  GeneratedHistory loader(static_cast<size_t>(state.range(0)));
  const std::vector<int64_t> items = loader.LoadItems(7).value();
  const internal::FilterPolicy policy =
      internal::FilterPolicy::Make(64, 0.01, 0.25);
  uint64_t seed = 1;
  for (auto _ : state) {
    auto filter = internal::UserFilter::Build(policy, ++seed, items);
    benchmark::DoNotOptimize(filter.get());
  }
  state.SetItemsProcessed(state.iterations() * items.size());
}
BENCHMARK(BM_Rebuild)->Arg(5000)->Arg(50000)->Arg(500000)->Unit(benchmark::kMicrosecond);

std::string* SnapshotBytes() {
  static std::string* bytes = [] {
    Fixture* f = GetFixture(5000);
    auto fs = NewMemFileSystem();
    auto file = fs->NewWritableFile("/snap").value();
    (void)f->cache->SaveSnapshot(file.get());
    (void)file->Close();
    return new std::string(ReadFileToString(fs.get(), "/snap").value());
  }();
  return bytes;
}

void BM_SaveSnapshot(benchmark::State& state) {
  Fixture* f = GetFixture(5000);
  auto fs = NewMemFileSystem();
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto file = fs->NewWritableFile("/snap").value();
    (void)f->cache->SaveSnapshot(file.get());
    bytes = file->Size();
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_SaveSnapshot)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WarmStart(benchmark::State& state) {
  const std::string& bytes = *SnapshotBytes();
  auto fs = NewMemFileSystem();
  (void)WriteFileAtomically(fs.get(), "/snap", bytes);
  auto file = fs->NewRandomAccessFile("/snap").value();
  GeneratedHistory loader(0);
  AlreadyReadCacheOptions o;
  o.memory_budget_bytes = uint64_t{64} << 30;
  o.background_threads = 0;
  uint64_t users = 0;
  for (auto _ : state) {
    auto cache = AlreadyReadCache::Create(o, &loader).value();
    if (!cache->LoadSnapshot(*file).ok()) state.SkipWithError("load failed");
    state.PauseTiming();
    users = cache->Stats().users;
    cache.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * bytes.size());
  state.counters["users"] = static_cast<double>(users);
  state.counters["snapshot_MiB"] = bytes.size() / 1048576.0;
}
BENCHMARK(BM_WarmStart)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---------------------------------------------------------------- R1

// Every user's docs from the workload's facts.
class WorkloadHistory : public ReadHistoryLoader {
 public:
  explicit WorkloadHistory(uint64_t facts) {
    workload::AlreadyReadFactGenerator gen;
    for (uint64_t i = 0; i < facts; ++i) {
      const workload::AlreadyReadFact fact = gen.Next();
      docs_[fact.user_id].push_back(fact.doc_id);
    }
  }
  absl::StatusOr<std::vector<int64_t>> LoadItems(int64_t user) override {
    auto it = docs_.find(user);
    if (it == docs_.end()) return std::vector<int64_t>();
    return it->second;
  }
  size_t users() const { return docs_.size(); }

 private:
  std::unordered_map<int64_t, std::vector<int64_t>> docs_;
};

void BM_R1Workload(benchmark::State& state) {
  const char* env = std::getenv("MESA_BENCH_SCALE");
  const workload::Scale scale =
      workload::ParseScale(env != nullptr ? env : "small").value();
  const uint64_t facts = workload::ReadsPlan(scale).value().num_facts();
  static std::unique_ptr<WorkloadHistory> history;
  if (history == nullptr) history = std::make_unique<WorkloadHistory>(facts);
  AlreadyReadCacheOptions o;
  o.memory_budget_bytes = uint64_t{4} << 30;
  o.background_threads = 0;
  auto cache = AlreadyReadCache::Create(o, history.get()).value();
  // Warm: the first pass over the query stream loads every user it meets.
  workload::R1QueryStream warm;
  workload::R1Query q;
  std::vector<int64_t> unread;
  for (int j = 0; j < 200000; ++j) {
    warm.Next(&q);
    (void)cache->FilterUnread(q.user_id, q.candidates, &unread);
  }
  const AlreadyReadCacheStats before = cache->Stats();
  workload::R1QueryStream stream;
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  uint64_t read = 0;
  for (auto _ : state) {
    stream.Next(&q);
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(cache->FilterUnread(q.user_id, q.candidates, &unread));
    const auto t1 = std::chrono::steady_clock::now();
    latencies.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    read += workload::kR1Candidates - unread.size();
  }
  state.SetItemsProcessed(state.iterations() * workload::kR1Candidates);
  ReportLatencies(state, &latencies);
  const AlreadyReadCacheStats s = cache->Stats();
  state.counters["hit_pct"] =
      100.0 * (s.hits - before.hits) /
      std::max<uint64_t>(1, s.lookups - before.lookups);
  state.counters["read_per_query"] =
      static_cast<double>(read) / std::max<int64_t>(1, state.iterations());
  state.counters["cached_users"] = static_cast<double>(s.users);
}
BENCHMARK(BM_R1Workload)->Iterations(200000);

}  // namespace
}  // namespace mesa
