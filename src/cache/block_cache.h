// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A cache of decoded blocks: (delta file, block, set of columns) -> those
// columns of the block, decoded (a RowBatch), LRU by bytes in independent
// shards. Point lookups and repeated scans then skip reading,
// checksumming, decompressing and decoding, and a read of several columns
// of a block costs one probe (one shard lock, one shared_ptr copy), not
// one per column.
//
// Thread safety: safe to use from many threads; entries are immutable and
// shared, so an evicted entry stays valid for whoever still holds it.

#ifndef MESA_CACHE_BLOCK_CACHE_H_
#define MESA_CACHE_BLOCK_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "mesa/row_batch.h"
#include "src/util/mutex.h"

namespace mesa::internal {

struct BlockCacheKey {
  uint64_t file_id = 0;  // unique per open delta (BlockCache::NewFileId)
  uint64_t block = 0;
  // Bit c set: the entry holds schema column c; the entry's columns are
  // the set bits' in increasing order.
  uint64_t columns = 0;
  friend bool operator==(const BlockCacheKey&, const BlockCacheKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const BlockCacheKey& k) {
    return H::combine(std::move(h), k.file_id, k.block, k.columns);
  }
};

class BlockCache {
 public:
  using Entry = std::shared_ptr<const RowBatch>;

  explicit BlockCache(size_t capacity_bytes);

  // A number no other file of this cache has.
  uint64_t NewFileId() { return next_file_id_.fetch_add(1) + 1; }

  // The entry, or null (counted as a miss if `count_miss`: a caller that
  // tries another key next counts only its last probe's miss).
  Entry Lookup(const BlockCacheKey& key, bool count_miss = true);
  // Inserts (or replaces) an entry and evicts least recently used ones
  // while the shard is over its share of the capacity.
  void Insert(const BlockCacheKey& key, Entry value);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t usage() const;
  size_t capacity() const { return capacity_; }

  // The bytes an entry is charged.
  static size_t Charge(const RowBatch& v);

 private:
  static constexpr size_t kShards = 16;
  struct Node {
    BlockCacheKey key;
    Entry value;
    // The shard's `moves` when the node last went to the front.
    uint64_t stamp = 0;
  };
  struct Shard {
    Mutex mu;
    // Most recently used at the front, roughly: a hit moves its node to the
    // front only if at least a quarter of the shard's nodes went there
    // since it did, so hot entries (a point-lookup workload's) are not
    // relinked on every probe, and the eviction order stays close to LRU.
    std::list<Node> lru ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<BlockCacheKey, std::list<Node>::iterator> index
        ABSL_GUARDED_BY(mu);
    size_t usage ABSL_GUARDED_BY(mu) = 0;
    uint64_t moves ABSL_GUARDED_BY(mu) = 0;
  };
  Shard& ShardOf(const BlockCacheKey& key);

  const size_t capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> next_file_id_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace mesa::internal

#endif  // MESA_CACHE_BLOCK_CACHE_H_
