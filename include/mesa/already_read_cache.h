// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// AlreadyReadCache answers "which of these candidate items has this user not
// read yet?" from per-user split-block Bloom filters kept in memory over a
// read-history store (user_id, item_id) -> read_at.
//
//   ReadHistoryLoader* store = ...;   // the host's (or a mesa table's) loader
//   AlreadyReadCacheOptions options;
//   options.memory_budget_bytes = 1 << 30;
//   options.write_through = [&](int64_t user, absl::Span<const int64_t> items) {
//     return WriteRows(user, items);  // the store, before the bits are set
//   };
//   auto cache = AlreadyReadCache::Create(options, store).value();
//   std::vector<int64_t> fresh;
//   MESA_RETURN_IF_ERROR(cache->FilterUnread(user, candidates, &fresh));
//
// Answers may contain false positives (an unread item reported as read, at
// about the configured rate) but never false negatives: an item is always
// reported read if it was in the store when the user's filter was loaded or
// was marked through this cache. Writes that bypass the cache (another
// replica, a batch job) are seen when the user's filter is next built from
// the store: on a miss, a growth rebuild, or after Invalidate().
//
// The store is anything that implements ReadHistoryLoader (and, for
// write-through, a ReadHistoryWriter): a host's own database, or a mesa table
// (user_id, item_id) -> read_at (MAX) read by a prefix scan and written by an
// UpdateBatch.
//
// Thread safety: an AlreadyReadCache is safe to use from many threads at once.
// A request holds its user's shard lock only to find the filter; bits are
// tested without a lock while MarkRead sets others.

#ifndef MESA_ALREADY_READ_CACHE_H_
#define MESA_ALREADY_READ_CACHE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "mesa/file_system.h"

namespace mesa {

// The store the cache reads through. Implementations must be thread-safe:
// the cache calls them from request threads and from its background threads.
class ReadHistoryLoader {
 public:
  virtual ~ReadHistoryLoader() = default;

  // Every item `user` has read, in any order; duplicates are allowed. Must
  // include every item whose write completed before the call started (in
  // particular every successful `write_through` call).
  virtual absl::StatusOr<std::vector<int64_t>> LoadItems(int64_t user) = 0;

  // Optional. True if ExactCheck() is implemented; the cache then answers a
  // miss with ExactCheck() while it loads the full history in the background.
  virtual bool SupportsExactCheck() const { return false; }

  // Optional. For each candidate, whether `user` has read it (an exact answer,
  // e.g. point lookups in the store). Same visibility rule as LoadItems().
  virtual absl::StatusOr<std::vector<bool>> ExactCheck(
      int64_t user, absl::Span<const int64_t> candidates) {
    (void)user;
    (void)candidates;
    return absl::UnimplementedError("ExactCheck is not implemented");
  }
};

// Writes (user, item) rows to the store. MarkRead() calls it before it sets
// any bit; an error is returned to MarkRead()'s caller and no bit is set.
using ReadHistoryWriter =
    std::function<absl::Status(int64_t user, absl::Span<const int64_t> items)>;

struct AlreadyReadCacheOptions {
  // A label for this cache (a tenant, a job): in Stats() and in snapshots.
  // Separate instances are fully isolated, each with its own budget.
  // Default: "default"
  std::string name = "default";

  // Memory for filters (plus a small per-user overhead), split evenly over
  // the shards; cold users are evicted (CLOCK) to stay within it. A single
  // user larger than its shard's share is still cached, alone.
  // Default: 256 MiB
  uint64_t memory_budget_bytes = uint64_t{256} << 20;

  // Users are spread over this many shards, each with its own lock, budget
  // share and eviction clock. A power of two in [1, 4096]. Default: 64
  int num_shards = 64;

  // The false-positive rate of a freshly built filter at its capacity. A
  // growing filter stays below 1.4x this until its overflow stage is full,
  // which starts a rebuild; reads marked while the rebuild runs add to it.
  // In (0, 0.5]. Default: 0.01
  double target_false_positive_rate = 0.01;

  // Bytes per filter block: 64 (one cache line, 8 x 64-bit words, about
  // 10.1 bits per item at 1%) or 32 (the delta files' layout, 8 x 32-bit
  // words, about 10.5 bits per item at 1%). Default: 64
  int block_bytes = 64;

  // Room for new reads after a filter is built, as a fraction of its
  // capacity: a second, smaller filter stage. When it is full the user's
  // filter is rebuilt from the store with a new hash seed. In (0, 4].
  // Default: 0.25
  double overflow_fraction = 0.25;

  // Threads for background loads and growth rebuilds. 0 runs that work
  // inline in the calling thread (and disables ExactCheck on a miss).
  // Default: 1
  int background_threads = 1;

  // On a miss, answer from ReadHistoryLoader::ExactCheck (when supported)
  // while the full history loads in the background, instead of waiting for
  // the load. Default: true
  bool exact_check_on_miss = true;

  // Where MarkRead() writes rows before setting bits. Empty: the host writes
  // the store itself, before it calls MarkRead(). Default: empty
  ReadHistoryWriter write_through;

  // Mixed into every filter's hash seed (each build gets a fresh seed).
  // Default: 0
  uint64_t seed = 0;

  // OK, or InvalidArgument naming the first bad field.
  absl::Status Validate() const;
};

struct AlreadyReadCacheStats {
  std::string name;
  uint64_t lookups = 0;       // (user, candidates) requests
  uint64_t hits = 0;          // requests answered by a cached filter
  uint64_t misses = 0;        // requests that found no filter
  uint64_t exact_checks = 0;  // misses answered by ExactCheck
  uint64_t loads = 0;         // LoadItems calls: misses and rebuilds
  uint64_t load_errors = 0;
  uint64_t rebuilds = 0;      // growth rebuilds installed
  uint64_t evictions = 0;
  uint64_t candidates_checked = 0;
  uint64_t items_marked = 0;  // items passed to MarkRead
  uint64_t users = 0;         // users with a cached filter now
  uint64_t items = 0;         // items in the cached filters
  uint64_t bytes = 0;         // memory charged against the budget
  uint64_t budget_bytes = 0;
  // Expected false-positive rate of a check, from each filter's fill: the
  // mean over cached users, and the worst user.
  double estimated_false_positive_rate = 0;
  double max_false_positive_rate = 0;
};

// One user's candidates in a multi-user call.
struct UserCandidates {
  int64_t user = 0;
  absl::Span<const int64_t> candidates;
};

class AlreadyReadCache {
 public:
  // Validates `options`. `loader` must outlive the cache.
  static absl::StatusOr<std::unique_ptr<AlreadyReadCache>> Create(
      const AlreadyReadCacheOptions& options, ReadHistoryLoader* loader);

  // Waits for running background work; queued work is dropped.
  virtual ~AlreadyReadCache() = default;

  // Records that `user` read `items`: writes them through
  // `options.write_through` (if set), then sets their bits in the user's
  // cached filter, if any. Never invalidates a cached filter; may schedule a
  // background rebuild when the filter has outgrown its capacity.
  virtual absl::Status MarkRead(int64_t user,
                                absl::Span<const int64_t> items) = 0;

  // The candidates `user` has not read, in input order (a read candidate may
  // rarely be kept out as a false positive; never the reverse). Loads the
  // user's history on a miss. Replaces *unread.
  virtual absl::Status FilterUnread(int64_t user,
                                    absl::Span<const int64_t> candidates,
                                    std::vector<int64_t>* unread) = 0;

  // (*read)[i]: whether `user` may have read candidates[i]. Replaces *read.
  virtual absl::Status AreRead(int64_t user,
                               absl::Span<const int64_t> candidates,
                               std::vector<bool>* read) = 0;

  // Many users at once, prefetching across users: (*unread)[q] is the answer
  // for requests[q].
  virtual absl::Status FilterUnreadMany(
      absl::Span<const UserCandidates> requests,
      std::vector<std::vector<int64_t>>* unread) = 0;

  // Drops `user`'s filter; the next request reloads it from the store. For
  // writes that bypassed the cache.
  virtual void Invalidate(int64_t user) = 0;

  // Blocks until no background load or rebuild is queued or running.
  virtual void WaitForBackgroundWork() = 0;

  // Warm start. SaveSnapshot writes every cached filter (SaveShardSnapshot:
  // one shard's) to `file` in the format of docs/format.md ("Already-read
  // cache snapshot"), without syncing or closing it. LoadSnapshot adds the
  // snapshot's filters for users not cached yet, within the budget; a
  // corrupt or truncated snapshot is DataLoss naming the file and offset,
  // and adds nothing.
  virtual absl::Status SaveSnapshot(WritableFile* file) = 0;
  virtual absl::Status SaveShardSnapshot(int shard, WritableFile* file) = 0;
  virtual absl::Status LoadSnapshot(const RandomAccessFile& file) = 0;

  // The shard `user` belongs to, in [0, options().num_shards).
  virtual int ShardOf(int64_t user) const = 0;

  virtual AlreadyReadCacheStats Stats() const = 0;
  virtual const AlreadyReadCacheOptions& options() const = 0;
};

}  // namespace mesa

#endif  // MESA_ALREADY_READ_CACHE_H_
