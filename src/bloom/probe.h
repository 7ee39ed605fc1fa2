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
  // Out: maybe[i] = 1 if candidates[i] may be in the filter, else 0.
  uint8_t* maybe = nullptr;
};

enum class ProbeKernel {
  kAuto,    // AVX2 when the CPU has it (and the build is not TSan), else scalar
  kScalar,  // relaxed atomic loads, word by word
  kAvx2,    // vector loads; only when AvailableProbeKernel() says so
};

// The kernel kAuto runs.
ProbeKernel AvailableProbeKernel();

void ProbeFilters(absl::Span<const ProbeRequest> requests,
                  ProbeKernel kernel = ProbeKernel::kAuto);

}  // namespace mesa::internal

#endif  // MESA_BLOOM_PROBE_H_
