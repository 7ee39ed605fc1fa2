// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The one hash function mesa stores on disk: XXH3-64 (xxHash 0.8), for
// checksums and Bloom filter keys.

#ifndef MESA_UTIL_HASH_H_
#define MESA_UTIL_HASH_H_

#include <cstdint>
#include <string_view>

namespace mesa::internal {

uint64_t Hash64(std::string_view data, uint64_t seed = 0);
// The checksum of stored bytes (docs/format.md): XXH3-64 with seed 0.
inline uint64_t Checksum64(std::string_view data) { return Hash64(data, 0); }

}  // namespace mesa::internal

#endif  // MESA_UTIL_HASH_H_
