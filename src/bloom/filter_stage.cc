// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/filter_stage.h"

#include <bit>
#include <cstring>
#include <memory>
#include <new>

#include "src/util/coding.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {
constexpr std::align_val_t kAlignment{64};
}  // namespace

BloomWord* FilterStage::Allocate(size_t words) {
  return static_cast<BloomWord*>(
      ::operator new(words * sizeof(BloomWord), kAlignment));
}

FilterStage::FilterStage(int block_bytes, uint32_t num_blocks)
    : block_bytes_(block_bytes),
      words_per_block_(WordsPerBlock(block_bytes)),
      num_blocks_(num_blocks) {
  MESA_DCHECK(block_bytes == 32 || block_bytes == 64);
  MESA_DCHECK(num_blocks >= 1);
  const size_t count = size_t{num_blocks} * static_cast<size_t>(words_per_block_);
  words_ = Allocate(count);
  std::uninitialized_value_construct_n(words_, count);  // all zero
}

FilterStage::FilterStage(int block_bytes, uint32_t num_blocks, const char* bits)
    : block_bytes_(block_bytes),
      words_per_block_(WordsPerBlock(block_bytes)),
      num_blocks_(num_blocks) {
  MESA_DCHECK(block_bytes == 32 || block_bytes == 64);
  MESA_DCHECK(num_blocks >= 1);
  const size_t count = size_t{num_blocks} * static_cast<size_t>(words_per_block_);
  words_ = Allocate(count);
  // Each word is constructed with its value: one pass over fresh memory.
  for (size_t i = 0; i < count; ++i) {
    ::new (static_cast<void*>(words_ + i)) BloomWord(LoadFixed32(bits + 4 * i));
  }
}

FilterStage::~FilterStage() {
  std::destroy_n(words_, size_t{num_blocks_} * words_per_block_);
  ::operator delete(words_, kAlignment);
}

bool FilterStage::Insert(uint64_t hash) {
  return AtomicBlockInsert(block_bytes_, const_cast<BloomWord*>(Block(hash)),
                           hash);
}

void FilterStage::CopyTo(char* dst) const {
  const size_t count = size_t{num_blocks_} * words_per_block_;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t w = words_[i].load(std::memory_order_relaxed);
    std::memcpy(dst + 4 * i, &w, 4);  // little-endian hosts only
  }
}

uint64_t FilterStage::CountOnes() const {
  const size_t count = size_t{num_blocks_} * words_per_block_;
  uint64_t ones = 0;
  for (size_t i = 0; i < count; ++i) {
    ones += std::popcount(words_[i].load(std::memory_order_relaxed));
  }
  return ones;
}

}  // namespace mesa::internal
