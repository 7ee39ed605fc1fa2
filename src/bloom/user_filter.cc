// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/user_filter.h"

#include <algorithm>
#include <cmath>

#include "src/bloom/filter_math.h"
#include "src/util/status_macros.h"

namespace mesa::internal {

FilterPolicy FilterPolicy::Make(int block_bytes, double target_fp_rate,
                                double overflow_fraction) {
  FilterPolicy p;
  p.block_bytes = block_bytes;
  p.target_fp_rate = target_fp_rate;
  p.overflow_fraction = overflow_fraction;
  p.main_load = SplitBlockLoadForRate(block_bytes, target_fp_rate);
  p.overflow_load = SplitBlockLoadForRate(
      block_bytes, target_fp_rate * kOverflowShareOfTarget);
  return p;
}

uint32_t FilterPolicy::MainBlocksFor(uint64_t items) const {
  const double blocks = std::ceil(static_cast<double>(items) / main_load);
  return static_cast<uint32_t>(std::clamp(blocks, 1.0, 4294967295.0));
}

uint64_t FilterPolicy::CapacityOf(uint32_t blocks, double load) {
  return std::max<uint64_t>(
      1, static_cast<uint64_t>(std::floor(blocks * load)));
}

void FilterPolicy::OverflowShape(uint64_t main_capacity, uint32_t* blocks,
                                 uint64_t* capacity) const {
  const double items = std::max(
      1.0, std::ceil(static_cast<double>(main_capacity) * overflow_fraction));
  *blocks = static_cast<uint32_t>(
      std::clamp(std::ceil(items / overflow_load), 1.0, 4294967295.0));
  *capacity = CapacityOf(*blocks, overflow_load);
}

UserFilter::UserFilter(uint64_t seed, int block_bytes, uint32_t main_blocks,
                       uint64_t main_capacity)
    : seed_(seed),
      main_capacity_(main_capacity),
      main_(block_bytes, main_blocks) {}

UserFilter::UserFilter(uint64_t seed, int block_bytes, uint32_t main_blocks,
                       uint64_t main_capacity, const char* main_bits)
    : seed_(seed),
      main_capacity_(main_capacity),
      main_(block_bytes, main_blocks, main_bits) {}

UserFilter::~UserFilter() { delete overflow_.load(std::memory_order_relaxed); }

std::shared_ptr<UserFilter> UserFilter::Build(const FilterPolicy& policy,
                                              uint64_t seed,
                                              absl::Span<const int64_t> items,
                                              uint64_t reserve) {
  const uint32_t blocks = policy.MainBlocksFor(items.size() + reserve);
  auto filter = std::make_shared<UserFilter>(
      seed, policy.block_bytes, blocks,
      FilterPolicy::CapacityOf(blocks, policy.main_load));
  filter->Insert(items, policy);
  return filter;
}

FilterStage* UserFilter::AddOverflowStage(uint32_t blocks, uint64_t capacity) {
  MESA_DCHECK(overflow_stage() == nullptr);
  auto* stage = new FilterStage(main_.block_bytes(), blocks);
  overflow_capacity_.store(capacity, std::memory_order_relaxed);
  overflow_.store(stage, std::memory_order_release);
  return stage;
}

void UserFilter::RestoreOverflowStage(uint32_t blocks, uint64_t capacity,
                                      const char* bits) {
  MESA_DCHECK(overflow_stage() == nullptr);
  auto* stage = new FilterStage(main_.block_bytes(), blocks, bits);
  overflow_capacity_.store(capacity, std::memory_order_relaxed);
  overflow_.store(stage, std::memory_order_release);
}

void UserFilter::RestoreCounts(uint64_t main_items, uint64_t overflow_items) {
  main_items_.store(main_items, std::memory_order_relaxed);
  overflow_items_.store(overflow_items, std::memory_order_relaxed);
}

namespace {

// Set-bit kernels for InsertLoop: scalar atomics, or AVX2 vectors.
struct ScalarBits {
  bool Insert(int block_bytes, BloomWord* block, uint64_t hash) const {
    return AtomicBlockInsert(block_bytes, block, hash);
  }
  bool Test(int block_bytes, const BloomWord* block, uint64_t hash) const {
    return AtomicBlockTest(block_bytes, block, hash);
  }
};

#if MESA_BLOOM_HAVE_AVX2
struct Avx2Bits {
  __attribute__((target("avx2"))) bool Insert(int block_bytes,
                                              BloomWord* block,
                                              uint64_t hash) const {
    return BlockInsertAvx2(block_bytes, block, hash);
  }
  __attribute__((target("avx2"))) bool Test(int block_bytes,
                                            const BloomWord* block,
                                            uint64_t hash) const {
    return BlockTestAvx2(block_bytes, block, hash);
  }
};
#endif

}  // namespace

// Hashes a group, prefetches its blocks, then sets bits: the group's cache
// misses overlap instead of queueing one after another. Groups are long
// for the same reason as the probe's prefetch distance (probe.cc). The
// stages' fields live in locals: the vector stores may alias anything, and
// the compiler would otherwise reload them for every item.
template <int kBlockBytes, class Bits>
inline bool UserFilter::InsertLoop(absl::Span<const int64_t> items,
                                   const FilterPolicy& policy, Bits bits) {
  constexpr size_t kGroup = 256;
  constexpr size_t kWords = kBlockBytes / 4;
  uint64_t hashes[kGroup];
  const uint64_t seed = seed_;
  const uint64_t main_capacity = main_capacity_;
  BloomWord* const main_words = main_.mutable_words();
  const uint32_t main_blocks = main_.num_blocks();
  uint64_t main_items = main_items_.load(std::memory_order_relaxed);
  uint64_t overflow_items = overflow_items_.load(std::memory_order_relaxed);
  FilterStage* overflow = overflow_.load(std::memory_order_relaxed);
  BloomWord* overflow_words =
      overflow != nullptr ? overflow->mutable_words() : nullptr;
  uint32_t overflow_blocks = overflow != nullptr ? overflow->num_blocks() : 0;
  for (size_t start = 0; start < items.size(); start += kGroup) {
    const size_t n = std::min(kGroup, items.size() - start);
    // Once the main stage is full, new items only touch the overflow stage.
    const bool main_full = main_items >= main_capacity;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t h = ItemHash(items[start + i], seed);
      hashes[i] = h;
      if (!main_full) {
        __builtin_prefetch(main_words + SplitBlockIndex(h, main_blocks) * kWords,
                           1);
      } else if (overflow_words != nullptr) {
        __builtin_prefetch(
            overflow_words + SplitBlockIndex(h, overflow_blocks) * kWords, 1);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const uint64_t h = hashes[i];
      if (main_items < main_capacity) {
        main_items += bits.Insert(
            kBlockBytes, main_words + SplitBlockIndex(h, main_blocks) * kWords, h);
        continue;
      }
      if (overflow_words == nullptr) {
        uint32_t blocks;
        uint64_t capacity;
        policy.OverflowShape(main_capacity, &blocks, &capacity);
        overflow = AddOverflowStage(blocks, capacity);
        overflow_words = overflow->mutable_words();
        overflow_blocks = overflow->num_blocks();
      }
      overflow_items += bits.Insert(
          kBlockBytes, overflow_words + SplitBlockIndex(h, overflow_blocks) * kWords,
          h);
    }
  }
  main_items_.store(main_items, std::memory_order_relaxed);
  overflow_items_.store(overflow_items, std::memory_order_relaxed);
  return NeedsRebuild();
}

__attribute__((flatten)) bool UserFilter::InsertScalar(
    absl::Span<const int64_t> items, const FilterPolicy& policy) {
  return main_.block_bytes() == 64
             ? InsertLoop<64>(items, policy, ScalarBits())
             : InsertLoop<32>(items, policy, ScalarBits());
}

#if MESA_BLOOM_HAVE_AVX2
__attribute__((target("avx2"), flatten)) bool UserFilter::InsertAvx2(
    absl::Span<const int64_t> items, const FilterPolicy& policy) {
  return main_.block_bytes() == 64
             ? InsertLoop<64>(items, policy, Avx2Bits())
             : InsertLoop<32>(items, policy, Avx2Bits());
}
#endif

bool UserFilter::Insert(absl::Span<const int64_t> items,
                        const FilterPolicy& policy) {
#if MESA_BLOOM_HAVE_AVX2
  if (CpuHasAvx2()) return InsertAvx2(items, policy);
#endif
  return InsertScalar(items, policy);
}

bool UserFilter::NeedsRebuild() const {
  return overflow_stage() != nullptr && overflow_items() >= overflow_capacity();
}

uint64_t UserFilter::filter_bytes() const {
  const FilterStage* overflow = overflow_stage();
  return main_.size_bytes() + (overflow != nullptr ? overflow->size_bytes() : 0);
}

double UserFilter::EstimatedFalsePositiveRate() const {
  const int bb = main_.block_bytes();
  double rate = SplitBlockFalsePositiveRate(
      bb, static_cast<double>(main_items()) / main_.num_blocks());
  if (const FilterStage* overflow = overflow_stage(); overflow != nullptr) {
    rate += SplitBlockFalsePositiveRate(
        bb, static_cast<double>(overflow_items()) / overflow->num_blocks());
  }
  return std::min(rate, 1.0);
}

}  // namespace mesa::internal
