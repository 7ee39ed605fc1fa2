// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The hash of an item in an already-read filter (docs/format.md,
// "Already-read cache snapshot"): the SplitMix64 output function applied to
// the item's two's-complement bits XOR the filter's seed. A bijection for a
// fixed seed, fast (two multiplies), and a fresh seed gives an unrelated
// set of hashes, which is what a rebuild relies on to move false positives.

#ifndef MESA_BLOOM_ITEM_HASH_H_
#define MESA_BLOOM_ITEM_HASH_H_

#include <cstdint>

namespace mesa::internal {

inline uint64_t MixBits64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline uint64_t ItemHash(int64_t item, uint64_t seed) {
  return MixBits64(static_cast<uint64_t>(item) ^ seed);
}

}  // namespace mesa::internal

#endif  // MESA_BLOOM_ITEM_HASH_H_
