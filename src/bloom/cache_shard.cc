// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/cache_shard.h"

#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {
uint64_t ChargeOf(const CacheEntry& e) {
  return e.filter == nullptr ? kEntryOverheadBytes
                             : e.filter->filter_bytes() + kEntryOverheadBytes;
}
}  // namespace

void CacheShard::Admit(CacheEntry* e) {
  MESA_DCHECK(e->filter != nullptr && e->clock_slot == CacheEntry::kNotInClock);
  e->clock_slot = clock_.size();
  clock_.push_back(e);
  e->charged_bytes = ChargeOf(*e);
  bytes_ += e->charged_bytes;
  EvictUntilWithinBudget(e);
}

void CacheShard::Recharge(CacheEntry* e) {
  if (e->clock_slot == CacheEntry::kNotInClock) return;
  const uint64_t charge = ChargeOf(*e);
  bytes_ = bytes_ - e->charged_bytes + charge;
  e->charged_bytes = charge;
  EvictUntilWithinBudget(e);
}

void CacheShard::Remove(CacheEntry* e) {
  e->removed = true;
  if (e->clock_slot != CacheEntry::kNotInClock) {
    // Swap-remove; the moved entry keeps its reference bit.
    const size_t slot = e->clock_slot;
    clock_[slot] = clock_.back();
    clock_[slot]->clock_slot = slot;
    clock_.pop_back();
    e->clock_slot = CacheEntry::kNotInClock;
    bytes_ -= e->charged_bytes;
    e->charged_bytes = 0;
  }
  // Last: the map may hold the final reference to `e`.
  auto it = entries.find(e->user);
  if (it != entries.end() && it->second.get() == e) entries.erase(it);
}

void CacheShard::EvictUntilWithinBudget(const CacheEntry* keep) {
  // Two full turns clear every reference bit, so a sweep that long without
  // an eviction means only `keep` is left.
  size_t idle_steps = 0;
  while (bytes_ > budget_bytes_ && idle_steps <= 2 * clock_.size()) {
    if (hand_ >= clock_.size()) hand_ = 0;
    CacheEntry* e = clock_[hand_];
    if (e == keep || e->referenced) {
      if (e != keep) e->referenced = false;
      ++hand_;
      ++idle_steps;
      continue;
    }
    Remove(e);  // the last entry moves into this slot: do not advance
    ++counters.evictions;
    idle_steps = 0;
  }
}

}  // namespace mesa::internal
