// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// One shard of an AlreadyReadCache: its users' entries, the bytes they are
// charged, and a CLOCK over the entries that hold a filter. A hit only sets
// the entry's reference bit; eviction sweeps the clock hand, clearing bits
// and evicting the first entry whose bit is already clear.

#ifndef MESA_BLOOM_CACHE_SHARD_H_
#define MESA_BLOOM_CACHE_SHARD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "src/bloom/user_filter.h"
#include "src/util/mutex.h"

namespace mesa::internal {

// Bytes charged per cached user on top of its filter bits, measured with
// glibc malloc: the entry with its control block (128), the filter object
// (80) and its control block (32), the bits' 64-byte alignment (~64) and the
// map slot (~29).
inline constexpr uint64_t kEntryOverheadBytes = 320;

// A user's slot. Every field but `user` is guarded by the owning shard's mu.
struct CacheEntry {
  static constexpr size_t kNotInClock = ~size_t{0};

  explicit CacheEntry(int64_t u) : user(u) {}

  const int64_t user;
  std::shared_ptr<UserFilter> filter;  // null until the first load finishes
  bool loading = false;      // the first load is in flight
  bool load_finished = false;
  absl::Status load_status;  // the first load's outcome, for its waiters
  bool rebuilding = false;   // a growth rebuild is in flight
  bool removed = false;      // evicted or invalidated; drop in-flight results
  // Items marked while a load or rebuild was in flight: the new filter gets
  // them whether or not the store's answer did.
  std::vector<int64_t> pending;
  // After a failed rebuild, no new one until the filter holds this many.
  uint64_t rebuild_after_items = 0;
  uint64_t charged_bytes = 0;
  size_t clock_slot = kNotInClock;
  bool referenced = false;
};

struct ShardCounters {
  uint64_t lookups = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t exact_checks = 0;
  uint64_t loads = 0;
  uint64_t load_errors = 0;
  uint64_t rebuilds = 0;
  uint64_t evictions = 0;
  uint64_t candidates_checked = 0;
  uint64_t items_marked = 0;
};

class alignas(64) CacheShard {
 public:
  explicit CacheShard(uint64_t budget_bytes) : budget_bytes_(budget_bytes) {}

  Mutex mu;
  CondVar load_done{&mu};  // signalled when any first load finishes
  absl::flat_hash_map<int64_t, std::shared_ptr<CacheEntry>> entries
      ABSL_GUARDED_BY(mu);
  ShardCounters counters ABSL_GUARDED_BY(mu);

  uint64_t budget_bytes() const { return budget_bytes_; }
  uint64_t bytes() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return bytes_; }

  // Puts an entry that now has a filter under the clock, charges it, and
  // evicts others (never it) until the shard is within budget.
  void Admit(CacheEntry* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Re-charges an admitted entry after its filter grew or was replaced.
  void Recharge(CacheEntry* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Takes the entry out of the clock and the map and marks it removed. The
  // entry may be destroyed by the time this returns unless the caller holds
  // a reference.
  void Remove(CacheEntry* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

 private:
  void EvictUntilWithinBudget(const CacheEntry* keep)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  const uint64_t budget_bytes_;
  uint64_t bytes_ ABSL_GUARDED_BY(mu) = 0;
  std::vector<CacheEntry*> clock_ ABSL_GUARDED_BY(mu);
  size_t hand_ ABSL_GUARDED_BY(mu) = 0;
};

}  // namespace mesa::internal

#endif  // MESA_BLOOM_CACHE_SHARD_H_
