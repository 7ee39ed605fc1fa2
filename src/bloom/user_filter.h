// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// One user's already-read filter: a main stage sized from the user's
// history when it is built, and at most one overflow stage that takes the
// reads that come after the main stage is full. A check therefore touches
// at most two cache lines. When the overflow stage is full too, the filter
// asks to be rebuilt (NeedsRebuild): the cache reloads the history from the
// store into one larger main stage with a new seed.
//
// False-positive budget: the main stage holds at most `capacity` items, the
// load at which its rate equals the target; the overflow stage is sized for
// kOverflowShareOfTarget of it, so a full filter stays below 1.4x target.
//
// Thread safety: any number of readers (MayContain, the probe kernels, the
// accessors) may run while one writer (Insert, AddOverflowStage,
// RestoreCounts) runs; the caller serializes writers.

#ifndef MESA_BLOOM_USER_FILTER_H_
#define MESA_BLOOM_USER_FILTER_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"
#include "src/bloom/filter_stage.h"
#include "src/bloom/item_hash.h"

namespace mesa::internal {

// The overflow stage's false-positive rate at its capacity, as a share of
// the target rate.
inline constexpr double kOverflowShareOfTarget = 0.4;

// How filters are sized; derived once from the cache's options.
struct FilterPolicy {
  int block_bytes = 64;
  double target_fp_rate = 0.01;
  double overflow_fraction = 0.25;
  double main_load = 0;      // items per block at target_fp_rate
  double overflow_load = 0;  // items per block at the overflow's rate

  static FilterPolicy Make(int block_bytes, double target_fp_rate,
                           double overflow_fraction);

  // Blocks for a main stage that holds `items` at the target rate (>= 1).
  uint32_t MainBlocksFor(uint64_t items) const;
  // Items a stage of `blocks` holds at `load` items per block.
  static uint64_t CapacityOf(uint32_t blocks, double load);
  // The overflow stage for a main stage of `main_capacity` items.
  void OverflowShape(uint64_t main_capacity, uint32_t* blocks,
                     uint64_t* capacity) const;
};

class UserFilter {
 public:
  // An empty filter with a main stage of `main_blocks` blocks holding up to
  // `main_capacity` items.
  UserFilter(uint64_t seed, int block_bytes, uint32_t main_blocks,
             uint64_t main_capacity);
  // A filter whose main stage holds `main_bits` (FilterStage's encoding).
  UserFilter(uint64_t seed, int block_bytes, uint32_t main_blocks,
             uint64_t main_capacity, const char* main_bits);
  ~UserFilter();
  UserFilter(const UserFilter&) = delete;
  UserFilter& operator=(const UserFilter&) = delete;

  // A filter of `items` (a user's history) sized by `policy`, with room for
  // `reserve` more items in its main stage. Shared (the cache hands it to
  // requests) and allocated with its control block, so that taking a
  // reference costs no extra cache miss.
  static std::shared_ptr<UserFilter> Build(const FilterPolicy& policy,
                                           uint64_t seed,
                                           absl::Span<const int64_t> items,
                                           uint64_t reserve = 0);

  // ---- writer side (serialized by the caller)

  // Adds `items`, prefetching ahead: to the main stage until it holds its
  // capacity, then to the overflow stage (created on first use). An item
  // whose bits in the stage it goes to were all set already is not counted;
  // once the main stage is full it is not consulted, so re-reading an old
  // item may count it again (one extra cache line per insert saved). Returns
  // NeedsRebuild().
  bool Insert(absl::Span<const int64_t> items, const FilterPolicy& policy);
  // For snapshots, before the filter is shared: an overflow stage holding
  // `bits`, and the stages' item counts.
  void RestoreOverflowStage(uint32_t blocks, uint64_t capacity,
                            const char* bits);
  void RestoreCounts(uint64_t main_items, uint64_t overflow_items);

  // ---- reader side

  // The overflow stage exists and is at capacity.
  bool NeedsRebuild() const;
  bool MayContain(int64_t item) const {
    const uint64_t h = ItemHash(item, seed_);
    if (main_.MayContain(h)) return true;
    const FilterStage* overflow = overflow_stage();
    return overflow != nullptr && overflow->MayContain(h);
  }

  uint64_t seed() const { return seed_; }
  int block_bytes() const { return main_.block_bytes(); }
  const FilterStage& main_stage() const { return main_; }
  // Null until the main stage fills.
  const FilterStage* overflow_stage() const {
    return overflow_.load(std::memory_order_acquire);
  }
  uint64_t main_capacity() const { return main_capacity_; }
  uint64_t overflow_capacity() const {
    return overflow_capacity_.load(std::memory_order_relaxed);
  }
  uint64_t main_items() const {
    return main_items_.load(std::memory_order_relaxed);
  }
  uint64_t overflow_items() const {
    return overflow_items_.load(std::memory_order_relaxed);
  }
  uint64_t item_count() const { return main_items() + overflow_items(); }
  // Bytes of both stages' bits.
  uint64_t filter_bytes() const;
  // The expected false-positive rate of a check, from the stages' fill.
  double EstimatedFalsePositiveRate() const;

 private:
  template <int kBlockBytes, class Bits>
  bool InsertLoop(absl::Span<const int64_t> items, const FilterPolicy& policy,
                  Bits bits);
  // A zeroed overflow stage, published to readers.
  FilterStage* AddOverflowStage(uint32_t blocks, uint64_t capacity);
  bool InsertScalar(absl::Span<const int64_t> items, const FilterPolicy& policy);
#if MESA_BLOOM_HAVE_AVX2
  bool InsertAvx2(absl::Span<const int64_t> items, const FilterPolicy& policy);
#endif

  const uint64_t seed_;
  const uint64_t main_capacity_;
  FilterStage main_;
  std::atomic<FilterStage*> overflow_{nullptr};  // owned; set at most once
  std::atomic<uint64_t> overflow_capacity_{0};
  // Written by the writer only; atomic so that readers may look.
  std::atomic<uint64_t> main_items_{0};
  std::atomic<uint64_t> overflow_items_{0};
};

}  // namespace mesa::internal

#endif  // MESA_BLOOM_USER_FILTER_H_
