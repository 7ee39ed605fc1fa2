// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The split-block Bloom filter kernel (docs/format.md, "Bloom section"): a
// key's 64-bit hash picks one 32-byte block (8 u32 words) and sets one bit
// in each word. Used by delta files' per-file key filter and, with its own
// sizing and growth policy, by the already-read cache.

#ifndef MESA_BLOOM_SPLIT_BLOCK_H_
#define MESA_BLOOM_SPLIT_BLOCK_H_

#include <cstdint>

namespace mesa::internal {

inline constexpr uint32_t kSplitBlockSalt[8] = {
    0x47b6137bu, 0x44974d91u, 0x8824ad5bu, 0xa2b7289du,
    0x705495c7u, 0x2df1424bu, 0x9efc4947u, 0x5c6bfb31u};

// Which of `num_blocks` blocks a hash maps to.
inline uint32_t SplitBlockIndex(uint64_t hash, uint32_t num_blocks) {
  return static_cast<uint32_t>(((hash >> 32) * num_blocks) >> 32);
}

inline void SplitBlockInsert(uint32_t* block, uint64_t hash) {
  uint32_t h = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    block[i] |= uint32_t{1} << ((h * kSplitBlockSalt[i]) >> 27);
  }
}

inline bool SplitBlockTest(const uint32_t* block, uint64_t hash) {
  uint32_t h = static_cast<uint32_t>(hash);
  bool all = true;
  for (int i = 0; i < 8; ++i) {
    all &= (block[i] >> ((h * kSplitBlockSalt[i]) >> 27)) & 1;
  }
  return all;
}

}  // namespace mesa::internal

#endif  // MESA_BLOOM_SPLIT_BLOCK_H_
