// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Batched membership tests over many (filter, candidates) requests. The
// candidates of all requests form one stream: each candidate's hash and
// block address are computed, the block (and the overflow stage's block)
// prefetched, and the test runs kProbeDistance candidates later, so the
// cache misses of one user's tail overlap with the next user's head.

#ifndef MESA_BLOOM_PROBE_H_
#define MESA_BLOOM_PROBE_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "src/bloom/user_filter.h"

namespace mesa::internal {

struct ProbeRequest {
  const UserFilter* filter = nullptr;
  const int64_t* candidates = nullptr;
  size_t count = 0;
};

enum class ProbeKernel {
  kAuto,    // AVX2 when the CPU has it (and the build is not TSan), else scalar
  kScalar,  // relaxed atomic loads, word by word
  kAvx2,    // vector loads; only when AvailableProbeKernel() says so
};

// The kernel kAuto runs.
ProbeKernel AvailableProbeKernel();

// Words of a bitmap for `candidates` results.
inline size_t ProbeBitmapWords(size_t candidates) {
  return (candidates + 63) / 64;
}
inline bool ProbeBit(const uint64_t* maybe, size_t i) {
  return (maybe[i >> 6] >> (i & 63)) & 1;
}

// Tests the candidates of all requests, taken in order as one sequence:
// bit i of `maybe` (ProbeBit) is set if candidate i may be in its filter.
// Writes all ProbeBitmapWords(total candidates) words of `maybe`.
void ProbeFilters(absl::Span<const ProbeRequest> requests, uint64_t* maybe,
                  ProbeKernel kernel = ProbeKernel::kAuto);

}  // namespace mesa::internal

#endif  // MESA_BLOOM_PROBE_H_
