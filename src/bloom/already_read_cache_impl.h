// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// AlreadyReadCacheImpl coordinates; the work lives in collaborators:
// UserFilter (bits and growth), ProbeFilters (batched checks), CacheShard
// (entries, budget, CLOCK), BackgroundPool (loads and rebuilds) and the
// snapshot codec.
//
// Consistency. For every user the invariant is: every item the loader
// returned, or MarkRead() accepted, before a request started is in the
// filter that request uses. It holds because
//   - MarkRead() writes through before it takes the shard lock, and then
//     either sets bits in the cached filter or, while a load or rebuild is
//     in flight, also queues the items in the entry's `pending` list, which
//     is applied to the new filter under the same lock before it replaces
//     the old one;
//   - a load that starts after the entry was created (or the rebuild flag
//     set) sees every write that completed before, by the loader's contract;
//   - bits only go from 0 to 1, and a filter is replaced only by one that
//     holds everything it held.

#ifndef MESA_BLOOM_ALREADY_READ_CACHE_IMPL_H_
#define MESA_BLOOM_ALREADY_READ_CACHE_IMPL_H_

#include <atomic>
#include <memory>
#include <vector>

#include "mesa/already_read_cache.h"
#include "src/bloom/background_pool.h"
#include "src/bloom/cache_shard.h"
#include "src/bloom/user_filter.h"

namespace mesa::internal {

class AlreadyReadCacheImpl final : public AlreadyReadCache {
 public:
  AlreadyReadCacheImpl(const AlreadyReadCacheOptions& options,
                       ReadHistoryLoader* loader);
  ~AlreadyReadCacheImpl() override;

  absl::Status MarkRead(int64_t user, absl::Span<const int64_t> items) override;
  absl::Status FilterUnread(int64_t user, absl::Span<const int64_t> candidates,
                            std::vector<int64_t>* unread) override;
  absl::Status AreRead(int64_t user, absl::Span<const int64_t> candidates,
                       std::vector<bool>* read) override;
  absl::Status FilterUnreadMany(
      absl::Span<const UserCandidates> requests,
      std::vector<std::vector<int64_t>>* unread) override;
  void Invalidate(int64_t user) override;
  void WaitForBackgroundWork() override;
  absl::Status SaveSnapshot(WritableFile* file) override;
  absl::Status SaveShardSnapshot(int shard, WritableFile* file) override;
  absl::Status LoadSnapshot(const RandomAccessFile& file) override;
  int ShardOf(int64_t user) const override;
  AlreadyReadCacheStats Stats() const override;
  const AlreadyReadCacheOptions& options() const override { return options_; }

 private:
  // How one request is answered: from a filter, or exactly by the loader.
  struct Source {
    std::shared_ptr<UserFilter> filter;
    bool exact = false;
  };

  CacheShard& ShardFor(int64_t user) { return *shards_[ShardOf(user)]; }
  const FilterPolicy& PolicyFor(const UserFilter& f) const {
    return f.block_bytes() == 64 ? policy64_ : policy32_;
  }
  uint64_t NextSeed(int64_t user);
  bool ExactOnMiss() const;

  // The filter for a request over `candidates` candidates of `user`; on a
  // miss, loads it (single-flight) or sets `exact`.
  absl::StatusOr<Source> Acquire(int64_t user, size_t candidates);
  // Answers one request into the bitmap `maybe` (ProbeBitmapWords words):
  // bit i set if candidates[i] may have been read.
  absl::Status Answer(int64_t user, absl::Span<const int64_t> candidates,
                      uint64_t* maybe);
  absl::Status AnswerExactly(int64_t user, absl::Span<const int64_t> candidates,
                             uint64_t* maybe);

  // The first load of an entry: loads, builds, installs, wakes waiters.
  absl::StatusOr<std::shared_ptr<UserFilter>> LoadAndInstall(
      CacheShard* shard, const std::shared_ptr<CacheEntry>& entry);
  // A growth rebuild of an installed entry.
  void Rebuild(CacheShard* shard, const std::shared_ptr<CacheEntry>& entry);
  // Runs `task` on the pool, or inline when there is none.
  void RunInBackground(std::function<void()> task);
  // Marks a rebuild in flight if one is due; the caller runs it unlocked.
  bool StartRebuildIfDue(CacheShard* shard, CacheEntry* e)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);

  absl::Status SaveShards(int first, int last, uint32_t shard_field,
                          WritableFile* file);

  const AlreadyReadCacheOptions options_;
  ReadHistoryLoader* const loader_;
  const FilterPolicy policy32_;
  const FilterPolicy policy64_;
  const FilterPolicy& policy_;  // the options' block size
  const int shard_bits_;
  std::vector<std::unique_ptr<CacheShard>> shards_;
  std::atomic<uint64_t> seed_counter_{0};
  // Last member: destroyed (joined) first, while everything its tasks use
  // is still alive.
  std::unique_ptr<BackgroundPool> pool_;
};

}  // namespace mesa::internal

#endif  // MESA_BLOOM_ALREADY_READ_CACHE_IMPL_H_
