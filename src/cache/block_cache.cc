// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/cache/block_cache.h"

#include "absl/hash/hash.h"

namespace mesa::internal {

BlockCache::BlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

size_t BlockCache::Charge(const RowBatch& v) {
  size_t bytes = sizeof(RowBatch) + 64;
  for (size_t c = 0; c < v.num_columns(); ++c) {
    const ColumnVector& col = v.column(c);
    bytes += sizeof(ColumnVector) + col.words().capacity() * 8 +
             col.offsets().capacity() * 4 + col.bytes().capacity();
  }
  return bytes;
}

BlockCache::Shard& BlockCache::ShardOf(const BlockCacheKey& key) {
  return shards_[absl::Hash<BlockCacheKey>()(key) % kShards];
}

BlockCache::Entry BlockCache::Lookup(const BlockCacheKey& key,
                                     bool count_miss) {
  Shard& s = ShardOf(key);
  MutexLock lock(&s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) {
    if (count_miss) misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  Node& node = *it->second;
  if (s.moves - node.stamp > s.index.size() / 4) {
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    node.stamp = ++s.moves;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return node.value;
}

void BlockCache::Insert(const BlockCacheKey& key, Entry value) {
  const size_t charge = Charge(*value);
  const size_t share = capacity_ / kShards;
  if (charge > share) return;  // would evict everything for one entry
  Shard& s = ShardOf(key);
  std::vector<Entry> evicted;  // released after the lock
  MutexLock lock(&s.mu);
  auto it = s.index.find(key);
  if (it != s.index.end()) {
    s.usage -= Charge(*it->second->value);
    evicted.push_back(std::move(it->second->value));
    s.lru.erase(it->second);
    s.index.erase(it);
  }
  s.lru.push_front(Node{key, std::move(value), ++s.moves});
  s.index[key] = s.lru.begin();
  s.usage += charge;
  while (s.usage > share && !s.lru.empty()) {
    Node& last = s.lru.back();
    s.usage -= Charge(*last.value);
    s.index.erase(last.key);
    evicted.push_back(std::move(last.value));
    s.lru.pop_back();
  }
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const Shard& s : shards_) {
    MutexLock lock(const_cast<Mutex*>(&s.mu));
    total += s.usage;
  }
  return total;
}

}  // namespace mesa::internal
