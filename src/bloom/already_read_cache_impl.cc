// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/already_read_cache_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <string_view>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "src/bloom/cache_snapshot.h"
#include "src/bloom/item_hash.h"
#include "src/bloom/probe.h"
#include "src/util/status_macros.h"

namespace mesa {

absl::Status AlreadyReadCacheOptions::Validate() const {
  auto bad = [](std::string_view field, std::string_view why) {
    return absl::InvalidArgumentError(
        fmt::format("AlreadyReadCacheOptions.{}: {}", field, why));
  };
  if (name.size() > 255) return bad("name", "longer than 255 bytes");
  if (memory_budget_bytes == 0) return bad("memory_budget_bytes", "is 0");
  if (num_shards < 1 || num_shards > 4096 ||
      !std::has_single_bit(static_cast<unsigned>(num_shards))) {
    return bad("num_shards",
               fmt::format("{} is not a power of two in [1, 4096]", num_shards));
  }
  if (!(target_false_positive_rate > 0 && target_false_positive_rate <= 0.5)) {
    return bad("target_false_positive_rate",
               fmt::format("{} is not in (0, 0.5]", target_false_positive_rate));
  }
  if (block_bytes != 32 && block_bytes != 64) {
    return bad("block_bytes", fmt::format("{} is neither 32 nor 64", block_bytes));
  }
  if (!(overflow_fraction > 0 && overflow_fraction <= 4)) {
    return bad("overflow_fraction",
               fmt::format("{} is not in (0, 4]", overflow_fraction));
  }
  if (background_threads < 0 || background_threads > 64) {
    return bad("background_threads",
               fmt::format("{} is not in [0, 64]", background_threads));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AlreadyReadCache>> AlreadyReadCache::Create(
    const AlreadyReadCacheOptions& options, ReadHistoryLoader* loader) {
  MESA_RETURN_IF_ERROR(options.Validate());
  if (loader == nullptr) {
    return absl::InvalidArgumentError("AlreadyReadCache::Create: loader is null");
  }
  return std::unique_ptr<AlreadyReadCache>(
      new internal::AlreadyReadCacheImpl(options, loader));
}

namespace internal {

AlreadyReadCacheImpl::AlreadyReadCacheImpl(
    const AlreadyReadCacheOptions& options, ReadHistoryLoader* loader)
    : options_(options),
      loader_(loader),
      policy32_(FilterPolicy::Make(32, options.target_false_positive_rate,
                                   options.overflow_fraction)),
      policy64_(FilterPolicy::Make(64, options.target_false_positive_rate,
                                   options.overflow_fraction)),
      policy_(options.block_bytes == 64 ? policy64_ : policy32_),
      shard_bits_(std::countr_zero(static_cast<unsigned>(options.num_shards))) {
  const uint64_t share = std::max<uint64_t>(
      1, options.memory_budget_bytes / static_cast<uint64_t>(options.num_shards));
  shards_.reserve(options.num_shards);
  for (int i = 0; i < options.num_shards; ++i) {
    shards_.push_back(std::make_unique<CacheShard>(share));
  }
  if (options.background_threads > 0) {
    pool_ = std::make_unique<BackgroundPool>(options.background_threads);
  }
}

AlreadyReadCacheImpl::~AlreadyReadCacheImpl() { pool_.reset(); }

int AlreadyReadCacheImpl::ShardOf(int64_t user) const {
  if (shard_bits_ == 0) return 0;
  // A different mix from the item hash, so shard and filter bits are unrelated.
  const uint64_t h = MixBits64(static_cast<uint64_t>(user) ^ 0x5bd1e9955bd1e995ull);
  return static_cast<int>(h >> (64 - shard_bits_));
}

uint64_t AlreadyReadCacheImpl::NextSeed(int64_t user) {
  // A fresh seed per build, so a false positive does not survive a rebuild.
  const uint64_t n = seed_counter_.fetch_add(1, std::memory_order_relaxed) + 1;
  return MixBits64(options_.seed ^
                   MixBits64(static_cast<uint64_t>(user) +
                             n * 0x9E3779B97F4A7C15ull));
}

bool AlreadyReadCacheImpl::ExactOnMiss() const {
  return options_.exact_check_on_miss && pool_ != nullptr &&
         loader_->SupportsExactCheck();
}

void AlreadyReadCacheImpl::RunInBackground(std::function<void()> task) {
  if (pool_ != nullptr) {
    pool_->Schedule(std::move(task));
  } else {
    task();
  }
}

// ---------------------------------------------------------------- reads

absl::StatusOr<AlreadyReadCacheImpl::Source> AlreadyReadCacheImpl::Acquire(
    int64_t user, size_t candidates) {
  CacheShard& shard = ShardFor(user);
  const bool exact = ExactOnMiss();
  std::shared_ptr<CacheEntry> entry;
  {
    MutexLock lock(&shard.mu);
    ShardCounters& c = shard.counters;
    ++c.lookups;
    c.candidates_checked += candidates;
    auto it = shard.entries.find(user);
    if (it != shard.entries.end()) {
      CacheEntry* e = it->second.get();
      if (e->filter != nullptr) {
        ++c.hits;
        e->referenced = true;
        return Source{e->filter, false};
      }
      // The first load is in flight.
      ++c.misses;
      if (exact) {
        ++c.exact_checks;
        return Source{nullptr, true};
      }
      std::shared_ptr<CacheEntry> hold = it->second;
      while (!hold->load_finished) shard.load_done.Wait();
      if (!hold->load_status.ok()) return hold->load_status;
      return Source{hold->filter, false};
    }
    ++c.misses;
    entry = std::make_shared<CacheEntry>(user);
    entry->loading = true;
    shard.entries.emplace(user, entry);
    if (exact) ++c.exact_checks;
  }
  if (exact) {
    RunInBackground([this, s = &shard, entry] {
      // A failure is counted in Stats().load_errors; the next miss retries.
      LoadAndInstall(s, entry).status().IgnoreError();
    });
    return Source{nullptr, true};
  }
  MESA_ASSIGN_OR_RETURN(std::shared_ptr<UserFilter> filter,
                        LoadAndInstall(&shard, entry));
  return Source{std::move(filter), false};
}

absl::Status AlreadyReadCacheImpl::AnswerExactly(
    int64_t user, absl::Span<const int64_t> candidates, uint64_t* maybe) {
  MESA_ASSIGN_OR_RETURN(std::vector<bool> read,
                        loader_->ExactCheck(user, candidates));
  if (read.size() != candidates.size()) {
    return absl::InternalError(fmt::format(
        "ReadHistoryLoader::ExactCheck gave {} answers for {} candidates",
        read.size(), candidates.size()));
  }
  std::fill_n(maybe, ProbeBitmapWords(read.size()), 0);
  for (size_t i = 0; i < read.size(); ++i) {
    maybe[i >> 6] |= uint64_t{read[i]} << (i & 63);
  }
  return absl::OkStatus();
}

absl::Status AlreadyReadCacheImpl::Answer(int64_t user,
                                          absl::Span<const int64_t> candidates,
                                          uint64_t* maybe) {
  if (candidates.empty()) return absl::OkStatus();
  MESA_ASSIGN_OR_RETURN(Source source, Acquire(user, candidates.size()));
  if (source.exact) return AnswerExactly(user, candidates, maybe);
  const ProbeRequest request{source.filter.get(), candidates.data(),
                             candidates.size()};
  ProbeFilters(absl::MakeConstSpan(&request, 1), maybe);
  return absl::OkStatus();
}

namespace {
// Appends the candidates whose bit in `maybe` is clear.
void AppendUnread(absl::Span<const int64_t> candidates, const uint64_t* maybe,
                  std::vector<int64_t>* unread) {
  const size_t base = unread->size();
  unread->resize(base + candidates.size());
  int64_t* out = unread->data() + base;
  size_t kept = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    out[kept] = candidates[i];
    kept += ProbeBit(maybe, i) ? 0 : 1;
  }
  unread->resize(base + kept);
}
}  // namespace

absl::Status AlreadyReadCacheImpl::FilterUnread(
    int64_t user, absl::Span<const int64_t> candidates,
    std::vector<int64_t>* unread) {
  absl::InlinedVector<uint64_t, 16> maybe(ProbeBitmapWords(candidates.size()));
  unread->clear();
  MESA_RETURN_IF_ERROR(Answer(user, candidates, maybe.data()));
  AppendUnread(candidates, maybe.data(), unread);
  return absl::OkStatus();
}

absl::Status AlreadyReadCacheImpl::AreRead(int64_t user,
                                           absl::Span<const int64_t> candidates,
                                           std::vector<bool>* read) {
  absl::InlinedVector<uint64_t, 16> maybe(ProbeBitmapWords(candidates.size()));
  read->clear();
  MESA_RETURN_IF_ERROR(Answer(user, candidates, maybe.data()));
  read->resize(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    (*read)[i] = ProbeBit(maybe.data(), i);
  }
  return absl::OkStatus();
}

absl::Status AlreadyReadCacheImpl::FilterUnreadMany(
    absl::Span<const UserCandidates> requests,
    std::vector<std::vector<int64_t>>* unread) {
  unread->resize(requests.size());
  for (auto& v : *unread) v.clear();
  // Resolve every user first, then probe all filters as one stream. A
  // request answered exactly gets a bitmap of its own.
  std::vector<Source> sources(requests.size());
  std::vector<ProbeRequest> probes;
  probes.reserve(requests.size());
  std::vector<size_t> stream_offset(requests.size());
  std::vector<std::vector<uint64_t>> exact(requests.size());
  size_t stream = 0;
  for (size_t q = 0; q < requests.size(); ++q) {
    const UserCandidates& r = requests[q];
    if (r.candidates.empty()) continue;
    MESA_ASSIGN_OR_RETURN(sources[q], Acquire(r.user, r.candidates.size()));
    if (sources[q].exact) {
      exact[q].resize(ProbeBitmapWords(r.candidates.size()));
      MESA_RETURN_IF_ERROR(AnswerExactly(r.user, r.candidates, exact[q].data()));
    } else {
      probes.push_back(ProbeRequest{sources[q].filter.get(),
                                    r.candidates.data(), r.candidates.size()});
      stream_offset[q] = stream;
      stream += r.candidates.size();
    }
  }
  std::vector<uint64_t> maybe(ProbeBitmapWords(stream));
  ProbeFilters(probes, maybe.data());
  std::vector<uint64_t> slice;
  for (size_t q = 0; q < requests.size(); ++q) {
    const absl::Span<const int64_t> c = requests[q].candidates;
    if (c.empty()) continue;
    if (sources[q].exact) {
      AppendUnread(c, exact[q].data(), &(*unread)[q]);
      continue;
    }
    // Re-align this request's bits to bit 0.
    slice.assign(ProbeBitmapWords(c.size()), 0);
    for (size_t i = 0; i < c.size(); ++i) {
      slice[i >> 6] |= uint64_t{ProbeBit(maybe.data(), stream_offset[q] + i)}
                       << (i & 63);
    }
    AppendUnread(c, slice.data(), &(*unread)[q]);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- writes

absl::Status AlreadyReadCacheImpl::MarkRead(int64_t user,
                                            absl::Span<const int64_t> items) {
  if (items.empty()) return absl::OkStatus();
  if (options_.write_through) {
    MESA_RETURN_IF_ERROR(options_.write_through(user, items));
  }
  CacheShard& shard = ShardFor(user);
  std::shared_ptr<CacheEntry> rebuild;
  {
    MutexLock lock(&shard.mu);
    shard.counters.items_marked += items.size();
    auto it = shard.entries.find(user);
    if (it == shard.entries.end()) return absl::OkStatus();  // loads see it
    CacheEntry* e = it->second.get();
    if (e->loading || e->rebuilding) {
      e->pending.insert(e->pending.end(), items.begin(), items.end());
    }
    if (e->filter != nullptr) {
      const uint64_t before = e->filter->filter_bytes();
      e->filter->Insert(items, PolicyFor(*e->filter));
      // Before Recharge, which may evict other entries and move `it`.
      if (StartRebuildIfDue(&shard, e)) rebuild = it->second;
      if (e->filter->filter_bytes() != before) shard.Recharge(e);
    }
  }
  if (rebuild != nullptr) {
    RunInBackground([this, s = &shard, rebuild] { Rebuild(s, rebuild); });
  }
  return absl::OkStatus();
}

void AlreadyReadCacheImpl::Invalidate(int64_t user) {
  CacheShard& shard = ShardFor(user);
  MutexLock lock(&shard.mu);
  auto it = shard.entries.find(user);
  if (it != shard.entries.end()) shard.Remove(it->second.get());
}

void AlreadyReadCacheImpl::WaitForBackgroundWork() {
  if (pool_ != nullptr) pool_->WaitIdle();
}

// ---------------------------------------------------------------- loads

absl::StatusOr<std::shared_ptr<UserFilter>>
AlreadyReadCacheImpl::LoadAndInstall(CacheShard* shard,
                                     const std::shared_ptr<CacheEntry>& entry) {
  absl::StatusOr<std::vector<int64_t>> items = loader_->LoadItems(entry->user);
  std::shared_ptr<UserFilter> filter;
  if (items.ok()) {
    filter = UserFilter::Build(policy_, NextSeed(entry->user), *items);
  }
  bool rebuild = false;
  {
    MutexLock lock(&shard->mu);
    ++shard->counters.loads;
    entry->loading = false;
    entry->load_finished = true;
    shard->load_done.SignalAll();
    if (!items.ok()) {
      ++shard->counters.load_errors;
      entry->load_status = items.status();
      entry->pending.clear();
      if (!entry->removed) shard->Remove(entry.get());
      return items.status();
    }
    if (!entry->pending.empty()) {
      filter->Insert(entry->pending, policy_);
      std::vector<int64_t>().swap(entry->pending);
    }
    entry->filter = filter;
    if (!entry->removed) {
      entry->referenced = true;
      shard->Admit(entry.get());
      rebuild = StartRebuildIfDue(shard, entry.get());
    }
  }
  if (rebuild) {
    RunInBackground([this, shard, entry] { Rebuild(shard, entry); });
  }
  return filter;
}

bool AlreadyReadCacheImpl::StartRebuildIfDue(CacheShard* shard, CacheEntry* e) {
  (void)shard;
  if (e->rebuilding || e->removed || e->filter == nullptr ||
      !e->filter->NeedsRebuild() ||
      e->filter->item_count() < e->rebuild_after_items) {
    return false;
  }
  e->rebuilding = true;
  return true;
}

void AlreadyReadCacheImpl::Rebuild(CacheShard* shard,
                                   const std::shared_ptr<CacheEntry>& entry) {
  absl::StatusOr<std::vector<int64_t>> items = loader_->LoadItems(entry->user);
  uint64_t reserve = 0;
  {
    MutexLock lock(&shard->mu);
    ++shard->counters.loads;
    if (!items.ok()) {
      // Counted in Stats().load_errors; the old filter stays correct (only
      // fuller), and the rebuild is retried after a quarter more overflow.
      ++shard->counters.load_errors;
      if (entry->filter != nullptr) {
        entry->rebuild_after_items =
            entry->filter->item_count() +
            std::max<uint64_t>(1, entry->filter->overflow_capacity() / 4);
      }
    }
    if (entry->removed || !items.ok()) {
      entry->rebuilding = false;
      std::vector<int64_t>().swap(entry->pending);
      return;
    }
    reserve = entry->pending.size();
  }
  std::shared_ptr<UserFilter> built =
      UserFilter::Build(policy_, NextSeed(entry->user), *items, reserve);
  bool again = false;
  {
    MutexLock lock(&shard->mu);
    entry->rebuilding = false;
    if (entry->removed) {
      std::vector<int64_t>().swap(entry->pending);
      return;
    }
    if (!entry->pending.empty()) {
      built->Insert(entry->pending, policy_);
      std::vector<int64_t>().swap(entry->pending);
    }
    entry->filter = std::move(built);
    ++shard->counters.rebuilds;
    shard->Recharge(entry.get());
    again = StartRebuildIfDue(shard, entry.get());
  }
  if (again) {
    RunInBackground([this, shard, entry] { Rebuild(shard, entry); });
  }
}

// ---------------------------------------------------------------- stats

AlreadyReadCacheStats AlreadyReadCacheImpl::Stats() const {
  AlreadyReadCacheStats s;
  s.name = options_.name;
  double fp_sum = 0;
  for (const auto& shard : shards_) {
    MutexLock lock(&shard->mu);
    const ShardCounters& c = shard->counters;
    s.lookups += c.lookups;
    s.hits += c.hits;
    s.misses += c.misses;
    s.exact_checks += c.exact_checks;
    s.loads += c.loads;
    s.load_errors += c.load_errors;
    s.rebuilds += c.rebuilds;
    s.evictions += c.evictions;
    s.candidates_checked += c.candidates_checked;
    s.items_marked += c.items_marked;
    s.bytes += shard->bytes();
    s.budget_bytes += shard->budget_bytes();
    for (const auto& [user, e] : shard->entries) {
      if (e->filter == nullptr) continue;
      ++s.users;
      s.items += e->filter->item_count();
      const double fp = e->filter->EstimatedFalsePositiveRate();
      fp_sum += fp;
      s.max_false_positive_rate = std::max(s.max_false_positive_rate, fp);
    }
  }
  if (s.users > 0) s.estimated_false_positive_rate = fp_sum / s.users;
  return s;
}

// ---------------------------------------------------------------- snapshots

absl::Status AlreadyReadCacheImpl::SaveShards(int first, int last,
                                              uint32_t shard_field,
                                              WritableFile* file) {
  SnapshotHeader header;
  header.shard_count = static_cast<uint32_t>(options_.num_shards);
  header.shard = shard_field;
  header.name = options_.name;
  SnapshotWriter writer(file, std::move(header));
  std::vector<std::pair<int64_t, std::shared_ptr<UserFilter>>> filters;
  for (int i = first; i < last; ++i) {
    filters.clear();
    {
      MutexLock lock(&shards_[i]->mu);
      for (const auto& [user, e] : shards_[i]->entries) {
        if (e->filter != nullptr) filters.emplace_back(user, e->filter);
      }
    }
    // Sorted, so equal caches give equal files.
    std::sort(filters.begin(), filters.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [user, filter] : filters) {
      MESA_RETURN_IF_ERROR(writer.Add(user, *filter));
    }
  }
  return writer.Finish();
}

absl::Status AlreadyReadCacheImpl::SaveSnapshot(WritableFile* file) {
  return SaveShards(0, options_.num_shards, kSnapshotAllShards, file);
}

absl::Status AlreadyReadCacheImpl::SaveShardSnapshot(int shard,
                                                     WritableFile* file) {
  if (shard < 0 || shard >= options_.num_shards) {
    return absl::InvalidArgumentError(fmt::format(
        "SaveShardSnapshot: shard {} is not in [0, {})", shard,
        options_.num_shards));
  }
  return SaveShards(shard, shard + 1, static_cast<uint32_t>(shard), file);
}

absl::Status AlreadyReadCacheImpl::LoadSnapshot(const RandomAccessFile& file) {
  SnapshotHeader header;
  MESA_ASSIGN_OR_RETURN(std::vector<SnapshotEntry> entries,
                        ReadSnapshot(file, &header));
  for (SnapshotEntry& se : entries) {
    CacheShard& shard = ShardFor(se.user);
    MutexLock lock(&shard.mu);
    if (shard.entries.contains(se.user)) continue;  // ours is newer
    auto entry = std::make_shared<CacheEntry>(se.user);
    entry->filter = std::move(se.filter);
    entry->load_finished = true;
    shard.entries.emplace(se.user, entry);
    shard.Admit(entry.get());
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace mesa
