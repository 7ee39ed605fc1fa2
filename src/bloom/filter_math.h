// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// False-positive arithmetic of split-block Bloom filters with 8 bits set per
// key. Items land in blocks as a Poisson process of mean `load` (items per
// block); a block holding k items answers a non-member "maybe" with
// probability (1 - (1 - 1/w)^k)^8, w the bits per word (32 or 64). The rate
// is the Poisson mixture of that. Sizing works from the inverse: the load at
// which the rate equals the target.

#ifndef MESA_BLOOM_FILTER_MATH_H_
#define MESA_BLOOM_FILTER_MATH_H_

#include <cstdint>

namespace mesa::internal {

// The expected false-positive rate at `load` items per block; block_bytes is
// 32 or 64.
double SplitBlockFalsePositiveRate(int block_bytes, double load);

// The largest load (items per block) whose rate is <= `fp_rate`.
double SplitBlockLoadForRate(int block_bytes, double fp_rate);

}  // namespace mesa::internal

#endif  // MESA_BLOOM_FILTER_MATH_H_
