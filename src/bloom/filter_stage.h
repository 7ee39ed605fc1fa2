// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// One stage of an already-read filter: a fixed array of split-block blocks
// (split_block_simd.h), 64-byte aligned so that a block never straddles two
// cache lines. Readers may test bits while one writer (serialized by the
// caller) sets them.

#ifndef MESA_BLOOM_FILTER_STAGE_H_
#define MESA_BLOOM_FILTER_STAGE_H_

#include <cstddef>
#include <cstdint>

#include "src/bloom/split_block_simd.h"

namespace mesa::internal {

class FilterStage {
 public:
  // A stage with every bit 0. block_bytes is 32 or 64; num_blocks >= 1.
  FilterStage(int block_bytes, uint32_t num_blocks);
  // A stage holding `bits` (num_blocks * block_bytes bytes of little-endian
  // u32 words, as CopyTo writes them).
  FilterStage(int block_bytes, uint32_t num_blocks, const char* bits);
  ~FilterStage();
  FilterStage(const FilterStage&) = delete;
  FilterStage& operator=(const FilterStage&) = delete;

  int block_bytes() const { return block_bytes_; }
  uint32_t num_blocks() const { return num_blocks_; }
  uint64_t size_bytes() const {
    return uint64_t{num_blocks_} * static_cast<uint64_t>(block_bytes_);
  }

  const BloomWord* words() const { return words_; }
  BloomWord* mutable_words() { return words_; }

  // The block `hash` maps to.
  const BloomWord* Block(uint64_t hash) const {
    return words_ + size_t{SplitBlockIndex(hash, num_blocks_)} *
                        static_cast<size_t>(words_per_block_);
  }
  BloomWord* MutableBlock(uint64_t hash) {
    return const_cast<BloomWord*>(Block(hash));
  }
  bool MayContain(uint64_t hash) const {
    return AtomicBlockTest(block_bytes_, Block(hash), hash);
  }
  // Sets the key's bits; returns true if at least one was 0. Writers only.
  bool Insert(uint64_t hash);

  // Writes the words to `dst` (size_bytes() bytes) as little-endian u32s.
  // Safe while a writer inserts: the copy holds at least every bit set
  // before the call.
  void CopyTo(char* dst) const;
  // How many bits are 1.
  uint64_t CountOnes() const;

 private:
  static BloomWord* Allocate(size_t words);

  const int block_bytes_;
  const int words_per_block_;
  const uint32_t num_blocks_;
  BloomWord* words_;  // owned; num_blocks_ * words_per_block_ words
};

}  // namespace mesa::internal

#endif  // MESA_BLOOM_FILTER_STAGE_H_
